import { isConfigError } from '@resilience/http-server';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, configHelp, loadConfig } from './config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (isConfigError(error)) return error.problems.map((p) => p.variable);
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('returns the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      upstreamUrl: 'http://127.0.0.1:3001',
      upstreamApiKey: undefined,
      upstreamTimeoutMs: 15_000,
      upstreamMaxBodyBytes: 4_194_304,
      retryMax: 3,
      retryBaseMs: 1_000,
      breakerFailureThreshold: 5,
      breakerResetMs: 60_000,
      requestDeadlineMs: 20_000,
      staleCacheTtlMs: 300_000,
      staleCacheMaxEntries: 1_000,
      shutdownTimeoutMs: 21_000,
      loadShedding: 'adaptive',
      shedLimit: 20,
      shedMinLimit: 20,
      shedMaxLimit: 200,
      shedMaxQueue: 50,
      shedMaxQueueMs: 5,
      shedPriorityMaxQueueMs: 100,
      shedRetryAfterSeconds: 1,
      shedCheckoutPriority: 'high',
      shedCatalogPriority: 'normal',
      upstreamHedge: 'off',
      upstreamHedgeMaxAttempts: 2,
      upstreamHedgeMaxExtraRatio: 0.05,
    });
    expect(loadConfig({})).toEqual(CONFIG_DEFAULTS);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'WARN',
      UPSTREAM_URL: 'https://api.example.test:8443/base/',
      UPSTREAM_API_KEY: 'demo-key',
      UPSTREAM_TIMEOUT_MS: '500',
      UPSTREAM_MAX_BODY_BYTES: '1024',
      RETRY_MAX: '0',
      RETRY_BASE_MS: '10',
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_RESET_MS: '100',
      REQUEST_DEADLINE_MS: '900',
      STALE_CACHE_TTL_MS: '0',
      STALE_CACHE_MAX_ENTRIES: '5',
      SHUTDOWN_TIMEOUT_MS: '250',
      LOAD_SHEDDING: 'fixed',
      SHED_LIMIT: '30',
      SHED_MIN_LIMIT: '2',
      SHED_MAX_LIMIT: '40',
      SHED_MAX_QUEUE: '0',
      SHED_MAX_QUEUE_MS: '7',
      SHED_PRIORITY_MAX_QUEUE_MS: '70',
      SHED_RETRY_AFTER_SECONDS: '2',
      SHED_CHECKOUT_PRIORITY: 'critical',
      SHED_CATALOG_PRIORITY: 'low',
      UPSTREAM_HEDGE: '25',
      UPSTREAM_HEDGE_MAX_ATTEMPTS: '3',
      UPSTREAM_HEDGE_MAX_EXTRA_RATIO: '0.1',
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      logLevel: 'warn',
      upstreamUrl: 'https://api.example.test:8443/base',
      upstreamApiKey: 'demo-key',
      upstreamTimeoutMs: 500,
      upstreamMaxBodyBytes: 1024,
      retryMax: 0,
      retryBaseMs: 10,
      breakerFailureThreshold: 2,
      breakerResetMs: 100,
      requestDeadlineMs: 900,
      staleCacheTtlMs: 0,
      staleCacheMaxEntries: 5,
      shutdownTimeoutMs: 250,
      loadShedding: 'fixed',
      shedLimit: 30,
      shedMinLimit: 2,
      shedMaxLimit: 40,
      shedMaxQueue: 0,
      shedMaxQueueMs: 7,
      shedPriorityMaxQueueMs: 70,
      shedRetryAfterSeconds: 2,
      shedCheckoutPriority: 'critical',
      shedCatalogPriority: 'low',
      upstreamHedge: 25,
      upstreamHedgeMaxAttempts: 3,
      upstreamHedgeMaxExtraRatio: 0.1,
    });
  });

  it('reads UPSTREAM_HEDGE=p95 and rejects a hedge setting that is not off, p95 or ms, or a ratio over 1', () => {
    expect(loadConfig({ UPSTREAM_HEDGE: 'p95' }).upstreamHedge).toBe('p95');
    expect(() => loadConfig({ UPSTREAM_HEDGE: 'on' })).toThrow(/UPSTREAM_HEDGE/);
    expect(() => loadConfig({ UPSTREAM_HEDGE_MAX_EXTRA_RATIO: '1.5' })).toThrow(
      /UPSTREAM_HEDGE_MAX_EXTRA_RATIO/,
    );
    expect(() => loadConfig({ UPSTREAM_HEDGE_MAX_ATTEMPTS: '6' })).toThrow(/UPSTREAM_HEDGE_MAX_ATTEMPTS/);
  });

  it('refuses an adaptive SHED_LIMIT outside [SHED_MIN_LIMIT, SHED_MAX_LIMIT]', () => {
    expect(() => loadConfig({ SHED_LIMIT: '300' })).toThrow('SHED_MIN_LIMIT <= SHED_LIMIT <= SHED_MAX_LIMIT');
    expect(loadConfig({ LOAD_SHEDDING: 'fixed', SHED_LIMIT: '300' }).shedLimit).toBe(300);
  });

  it('drains for the request deadline plus 1 s unless SHUTDOWN_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig({ REQUEST_DEADLINE_MS: '5000', UPSTREAM_TIMEOUT_MS: '1000' }).shutdownTimeoutMs).toBe(
      6_000,
    );
    expect(
      loadConfig({ REQUEST_DEADLINE_MS: '5000', UPSTREAM_TIMEOUT_MS: '1000', SHUTDOWN_TIMEOUT_MS: '100' })
        .shutdownTimeoutMs,
    ).toBe(100);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', UPSTREAM_API_KEY: ' ' })).toMatchObject({
      port: 3000,
      upstreamApiKey: undefined,
    });
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '3000abc'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_TIMEOUT_MS', '1.5'],
    ['UPSTREAM_MAX_BODY_BYTES', '0'],
    ['UPSTREAM_MAX_BODY_BYTES', '-1'],
    ['UPSTREAM_MAX_BODY_BYTES', '4MiB'],
    ['UPSTREAM_MAX_BODY_BYTES', '1.5'],
    ['UPSTREAM_MAX_BODY_BYTES', '536870913'],
    ['RETRY_MAX', '11'],
    ['RETRY_BASE_MS', 'soon'],
    ['BREAKER_FAILURE_THRESHOLD', '0'],
    ['BREAKER_RESET_MS', '0'],
    ['REQUEST_DEADLINE_MS', '1e3'],
    ['STALE_CACHE_TTL_MS', '-5'],
    ['STALE_CACHE_MAX_ENTRIES', 'many'],
    ['SHUTDOWN_TIMEOUT_MS', 'x'],
    ['SHUTDOWN_TIMEOUT_MS', '0'],
    ['LOG_LEVEL', 'verbose'],
    ['UPSTREAM_URL', 'not a url'],
    ['UPSTREAM_URL', 'ftp://127.0.0.1:3001'],
    ['UPSTREAM_URL', 'http://user:pw@127.0.0.1:3001'],
    ['UPSTREAM_URL', 'http://127.0.0.1:3001/?key=1'],
    ['UPSTREAM_API_KEY', 'has space'],
    ['HOST', 'not a host'],
    ['HOST', 'http://127.0.0.1'],
    ['HOST', '127.0.0.1:3000'],
    ['HOST', '[::1]'],
    ['HOST', '-bad.example'],
    ['HOST', 'a..b'],
    ['HOST', `${'a'.repeat(64)}.example`],
  ])('rejects %s=%s with an error naming the variable', (variable, value) => {
    expect(problemsOf({ [variable]: value })).toEqual([variable]);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`${variable}: expected`));
  });

  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'fe80::1', 'localhost', 'api-1.internal.example', 'host.'])(
    'accepts HOST=%s',
    (value) => {
      expect(loadConfig({ HOST: value }).host).toBe(value);
    },
  );

  it('names UPSTREAM_MAX_BODY_BYTES and its range when it is not a positive integer', () => {
    expect(() => loadConfig({ UPSTREAM_MAX_BODY_BYTES: '4MiB' })).toThrow(
      'UPSTREAM_MAX_BODY_BYTES: expected an integer from 1 to 536870912, got "4MiB"',
    );
    expect(loadConfig({ UPSTREAM_MAX_BODY_BYTES: '1' }).upstreamMaxBodyBytes).toBe(1);
    expect(loadConfig({ UPSTREAM_MAX_BODY_BYTES: '536870912' }).upstreamMaxBodyBytes).toBe(536_870_912);
  });

  it('names HOST and the accepted form when HOST is invalid', () => {
    expect(() => loadConfig({ HOST: 'not a host' })).toThrow(
      'HOST: expected an IP address or host name like 127.0.0.1, 0.0.0.0, :: or localhost, got "not a host"',
    );
  });

  it('reports every invalid variable at once', () => {
    expect(problemsOf({ PORT: 'x', RETRY_MAX: 'y', LOG_LEVEL: 'z', HOST: 'a b' })).toEqual([
      'PORT',
      'HOST',
      'LOG_LEVEL',
      'RETRY_MAX',
    ]);
  });

  it('does not modify the environment object it reads', () => {
    const env = Object.freeze({ PORT: '1234', UPSTREAM_URL: 'http://127.0.0.1:9/' });
    expect(loadConfig(env)).toMatchObject({ port: 1234, upstreamUrl: 'http://127.0.0.1:9' });
    expect(env).toEqual({ PORT: '1234', UPSTREAM_URL: 'http://127.0.0.1:9/' });
  });

  it('names the missing scheme of an UPSTREAM_URL like localhost:3001 and says what to write', () => {
    expect(() => loadConfig({ UPSTREAM_URL: 'localhost:3001' })).toThrow(
      'UPSTREAM_URL: expected an http(s) URL like http://127.0.0.1:3001 ("localhost:3001" has no scheme: write http://localhost:3001)',
    );
    expect(() => loadConfig({ UPSTREAM_URL: '127.0.0.1:3001' })).toThrow('write http://127.0.0.1:3001');
  });

  it('refuses an attempt timeout that fills the whole deadline, since no retry could then happen', () => {
    const env = { REQUEST_DEADLINE_MS: '100', UPSTREAM_TIMEOUT_MS: '15000' };
    expect(problemsOf(env)).toEqual(['UPSTREAM_TIMEOUT_MS, REQUEST_DEADLINE_MS']);
    expect(() => loadConfig(env)).toThrow(
      'one attempt may take UPSTREAM_TIMEOUT_MS=15000 ms, the whole REQUEST_DEADLINE_MS=100 ms, so no retry could ever happen',
    );
    // Equal is as bad as longer; one millisecond shorter leaves room, and without retries there is nothing to leave room for.
    expect(problemsOf({ REQUEST_DEADLINE_MS: '500', UPSTREAM_TIMEOUT_MS: '500' })).toHaveLength(1);
    expect(loadConfig({ REQUEST_DEADLINE_MS: '500', UPSTREAM_TIMEOUT_MS: '499' }).upstreamTimeoutMs).toBe(
      499,
    );
    expect(loadConfig({ ...env, RETRY_MAX: '0' }).upstreamTimeoutMs).toBe(15_000);
  });

  it('does not add the cross-variable check when one of its variables is already refused', () => {
    expect(problemsOf({ REQUEST_DEADLINE_MS: 'x', UPSTREAM_TIMEOUT_MS: '15000' })).toEqual([
      'REQUEST_DEADLINE_MS',
    ]);
  });
});

describe('configHelp', () => {
  it('lists every variable loadConfig reads, with its default', () => {
    const help = configHelp();
    for (const name of [
      'PORT',
      'HOST',
      'LOG_LEVEL',
      'UPSTREAM_URL',
      'UPSTREAM_API_KEY',
      'UPSTREAM_TIMEOUT_MS',
      'UPSTREAM_MAX_BODY_BYTES',
      'RETRY_MAX',
      'RETRY_BASE_MS',
      'BREAKER_FAILURE_THRESHOLD',
      'BREAKER_RESET_MS',
      'REQUEST_DEADLINE_MS',
      'STALE_CACHE_TTL_MS',
      'STALE_CACHE_MAX_ENTRIES',
      'SHUTDOWN_TIMEOUT_MS',
    ])
      expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help).toContain('an integer from 0 to 65535; default: 3000');
    expect(help).toContain('default: REQUEST_DEADLINE_MS + 1000 (21000)');
    expect(help).toContain('default: http://127.0.0.1:3001');
  });
});
