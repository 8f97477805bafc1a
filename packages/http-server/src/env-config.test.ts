import { describe, expect, it } from 'vitest';
import { ConfigError, createEnvReader, formatConfigHelp, isConfigError, refuse } from './env-config.js';

const port = { description: 'port to listen on', default: 3000, min: 0, max: 65_535 } as const;

function problemsOf(run: () => void): ConfigError['problems'] {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createEnvReader', () => {
  it('returns defaults for unset and blank variables, and trimmed values otherwise', () => {
    const reader = createEnvReader('svc', { BLANK: '  ', PORT: ' 8080 ', NAME: ' x ' });
    expect(reader.integer('PORT', port)).toBe(8080);
    expect(reader.integer('BLANK', port)).toBe(3000);
    expect(reader.integer('UNSET', port)).toBe(3000);
    expect(reader.string('NAME', { description: 'a name', default: undefined })).toBe('x');
    expect(reader.string('NOPE', { description: 'a name', default: undefined })).toBeUndefined();
    reader.finish();
  });

  it('reports every invalid variable at once, each with the accepted form and the value seen', () => {
    const reader = createEnvReader('consumer', {
      PORT: '70000',
      RETRIES: 'three',
      LEVEL: 'loud',
      ON: 'yes',
    });
    expect(reader.integer('PORT', port)).toBe(3000);
    reader.integer('RETRIES', { description: 'retries', default: 3, min: 0, max: 10 });
    reader.oneOf('LEVEL', { description: 'level', default: 'info', values: ['info', 'debug'] });
    reader.boolean('ON', { description: 'on', default: false });
    let error: unknown;
    try {
      reader.finish();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('ERR_INVALID_CONFIG');
    expect(configError.problems).toEqual([
      { variable: 'PORT', message: 'expected an integer from 0 to 65535, got "70000"' },
      { variable: 'RETRIES', message: 'expected an integer from 0 to 10, got "three"' },
      { variable: 'LEVEL', message: 'expected one of info, debug, got "loud"' },
      { variable: 'ON', message: 'expected true or false (or 1 or 0), got "yes"' },
    ]);
    expect(configError.message).toBe(
      [
        'Invalid consumer configuration (4 problems):',
        '  - PORT: expected an integer from 0 to 65535, got "70000"',
        '  - RETRIES: expected an integer from 0 to 10, got "three"',
        '  - LEVEL: expected one of info, debug, got "loud"',
        '  - ON: expected true or false (or 1 or 0), got "yes"',
      ].join('\n'),
    );
  });

  it('accepts the bounds of an integer and refuses one past them, signs, decimals and huge numbers', () => {
    const spec = { description: 'n', default: 5, min: 1, max: 10 };
    const ok = createEnvReader('svc', { A: '1', B: '10' });
    expect([ok.integer('A', spec), ok.integer('B', spec)]).toEqual([1, 10]);
    ok.finish();
    for (const value of ['0', '11', '-1', '+2', '2.5', '1e3', '99999999999999999999']) {
      const problems = problemsOf(() => {
        const reader = createEnvReader('svc', { N: value });
        expect(reader.integer('N', spec)).toBe(5);
        reader.finish();
      });
      expect(problems).toEqual([
        { variable: 'N', message: `expected an integer from 1 to 10, got "${value}"` },
      ]);
    }
  });

  it('reads booleans in any case and 1/0, and one-of values case-insensitively', () => {
    const reader = createEnvReader('svc', { A: 'TRUE', B: '0', C: '1', D: 'False', L: 'DEBUG' });
    const spec = { description: 'b', default: false };
    expect(['A', 'B', 'C', 'D'].map((name) => reader.boolean(name, spec))).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(reader.oneOf('L', { description: 'l', default: 'info', values: ['info', 'debug'] })).toBe('debug');
    reader.finish();
  });

  it('never quotes a secret value in a message', () => {
    const problems = problemsOf(() => {
      const reader = createEnvReader('svc', { TOKEN: 'short secret' });
      reader.string('TOKEN', {
        description: 'admin token',
        default: undefined,
        pattern: /^[\x21-\x7e]{16,256}$/,
        accepted: '16-256 printable ASCII characters without spaces',
        secret: true,
      });
      reader.finish();
    });
    expect(problems).toEqual([
      { variable: 'TOKEN', message: 'expected 16-256 printable ASCII characters without spaces' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('short secret');
  });

  it('takes a custom parser’s refusal as the message, and its value otherwise', () => {
    const spec = {
      description: 'upstream',
      default: 'http://127.0.0.1:3001',
      accepted: 'an http(s) URL',
      parse: (raw: string) => (raw.startsWith('http') ? raw : refuse(`"${raw}" has no scheme`)),
    };
    const ok = createEnvReader('svc', { URL: 'http://x' });
    expect(ok.custom('URL', spec)).toBe('http://x');
    ok.finish();
    const bad = createEnvReader('svc', { URL: 'x:1' });
    expect(bad.custom('URL', spec)).toBe('http://127.0.0.1:3001');
    expect(bad.refused('URL')).toBe(true);
    expect(bad.refused('OTHER')).toBe(false);
    expect(problemsOf(() => bad.finish())).toEqual([{ variable: 'URL', message: '"x:1" has no scheme' }]);
  });

  it('records checks across variables under every name involved', () => {
    const reader = createEnvReader('svc', {});
    reader.problem(['REQUEST_DEADLINE_MS', 'UPSTREAM_TIMEOUT_MS'], 'the timeout must be shorter');
    expect(problemsOf(() => reader.finish())).toEqual([
      { variable: 'REQUEST_DEADLINE_MS, UPSTREAM_TIMEOUT_MS', message: 'the timeout must be shorter' },
    ]);
  });

  it('says "1 problem" for one, and never mutates the environment', () => {
    const env = Object.freeze({ PORT: 'x' });
    const reader = createEnvReader('mock-api', env);
    reader.integer('PORT', port);
    expect(() => reader.finish()).toThrow(
      'Invalid mock-api configuration (1 problem):\n  - PORT: expected an integer from 0 to 65535, got "x"',
    );
  });
});

describe('formatConfigHelp', () => {
  it('lists every variable read, once, with its accepted form and default', () => {
    const reader = createEnvReader('svc', {});
    reader.integer('PORT', port);
    reader.integer('PORT', port);
    reader.string('KEY', { description: 'api key', default: undefined, accepted: 'printable ASCII' });
    reader.integer('DRAIN_MS', {
      description: 'drain',
      default: 21_000,
      defaultText: 'DEADLINE + 1000',
      min: 0,
      max: 10,
    });
    expect(reader.variables.map((variable) => variable.name)).toEqual(['PORT', 'KEY', 'DRAIN_MS']);
    expect(
      formatConfigHelp({ usage: 'Usage: svc', summary: 'Does things.', variables: reader.variables }),
    ).toBe(
      [
        'Usage: svc',
        '',
        'Does things.',
        '',
        'Environment variables (unset or empty takes the default):',
        '  PORT      port to listen on',
        '            an integer from 0 to 65535; default: 3000',
        '  KEY       api key',
        '            printable ASCII; default: (unset)',
        '  DRAIN_MS  drain',
        '            an integer from 0 to 10; default: DEADLINE + 1000',
        '',
      ].join('\n'),
    );
  });
});
