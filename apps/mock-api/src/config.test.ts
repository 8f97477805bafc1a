import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, configHelp, loadConfig, redactRedisUrl, unusedVariables } from './config.js';
import { type ConfigError, isConfigError } from './errors/config-error.js';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      logLevel: 'info',
      rateLimit: { perMinute: 10, perHour: 100, onStoreError: 'open', allowlist: [] },
      trustProxy: false,
      redis: undefined,
      faults: { enabled: false, adminToken: undefined },
      shutdownTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
    expect(config.rateLimit.apiKeys.size).toBe(0);
    expect(CONFIG_DEFAULTS.port).toBe(3001);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'WARN',
      RATE_LIMIT_PER_MINUTE: '600',
      RATE_LIMIT_PER_HOUR: '20000',
      REDIS_URL: 'redis://127.0.0.1:6380/2',
      REDIS_KEY_PREFIX: 'blue:',
      REDIS_COMMAND_TIMEOUT_MS: '50',
      RATE_LIMIT_ON_STORE_ERROR: 'closed',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      RATE_LIMIT_ALLOWLIST: '192.168.1.10, 2001:db8::/32',
      API_KEYS: 'demo-consumer-key:600:20000, partner-key-77:5:50',
      FAULTS_ENABLED: 'true',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      SHUTDOWN_TIMEOUT_MS: '2500',
      REQUEST_TIMEOUT_MS: '5000',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      logLevel: 'warn',
      rateLimit: {
        perMinute: 600,
        perHour: 20_000,
        onStoreError: 'closed',
        allowlist: ['192.168.1.10', '2001:db8::/32'],
      },
      trustProxy: ['loopback', '10.0.0.0/8'],
      redis: { url: 'redis://127.0.0.1:6380/2', keyPrefix: 'blue:', commandTimeoutMs: 50 },
      faults: { enabled: true, adminToken: 'a-long-enough-admin-token' },
      shutdownTimeoutMs: 2500,
      requestTimeoutMs: 5000,
    });
    expect([...config.rateLimit.apiKeys]).toEqual([
      ['demo-consumer-key', { perMinute: 600, perHour: 20_000 }],
      ['partner-key-77', { perMinute: 5, perHour: 50 }],
    ]);
  });

  it('reads REDIS_CLUSTER_NODES as the seed nodes of a cluster, the first one named as its address', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000, redis://127.0.0.1:7001' });
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:7000',
      clusterNodes: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
      keyPrefix: 'mock-api:',
      commandTimeoutMs: 1000,
    });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis?.clusterNodes).toBeUndefined();
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, naming both, and malformed seed nodes', () => {
    const both = failure({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000',
    });
    expect(both.problems).toHaveLength(1);
    expect(both.problems[0]?.message).toContain('REDIS_URL');
    expect(both.problems[0]?.message).toContain('REDIS_CLUSTER_NODES');
    expect(failure({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).problems[0]?.message).toContain(
      'write redis://127.0.0.1:7000',
    );
    expect(failure({ REDIS_CLUSTER_NODES: 'redis://127.0.0.1:7000/2' }).problems[0]?.message).toContain(
      'only database 0',
    );
  });

  it('reads RATE_LIMIT_ALGORITHM, fixed by default', () => {
    expect(loadConfig({}).rateLimit.algorithm).toBe('fixed');
    expect(loadConfig({ RATE_LIMIT_ALGORITHM: 'sliding' }).rateLimit.algorithm).toBe('sliding');
    expect(failure({ RATE_LIMIT_ALGORITHM: 'log' }).problems[0]?.message).toContain('fixed, sliding');
  });

  it('accepts a TRUST_PROXY hop count and treats 0 and false as off', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it.each([
    ['PORT', '70000', 'an integer from 0 to 65535'],
    ['PORT', '30.5', 'an integer from 0 to 65535'],
    ['PORT', '-1', 'an integer from 0 to 65535'],
    ['HOST', 'my host', 'host name or IP address'],
    ['LOG_LEVEL', 'verbose', 'one of trace, debug, info, warn, error, fatal, silent'],
    ['RATE_LIMIT_PER_MINUTE', '0', 'an integer from 1 to'],
    ['RATE_LIMIT_PER_HOUR', 'lots', 'an integer from 1 to'],
    ['RATE_LIMIT_PER_HOUR', '1000000001', 'an integer from 1 to 1000000000'],
    ['RATE_LIMIT_PER_MINUTE', '99999999999', 'an integer from 1 to 1000000000'],
    ['RATE_LIMIT_ON_STORE_ERROR', 'maybe', 'one of open, closed'],
    ['TRUST_PROXY', 'true', 'would trust every peer'],
    ['TRUST_PROXY', '10.0.0.0/33', 'prefix length outside 0-32'],
    ['TRUST_PROXY', 'proxy.example', 'not an IP address'],
    ['TRUST_PROXY', '99', 'an integer from 0 to 16'],
    ['RATE_LIMIT_ALLOWLIST', '10.0.0.1, nope', '"nope" is not an IP address'],
    ['API_KEYS', 'short:1:1', 'key:perMinute:perHour'],
    ['API_KEYS', 'demo-consumer-key:10', 'key:perMinute:perHour'],
    ['API_KEYS', 'demo-consumer-key:0:10', 'positive integer limits'],
    ['API_KEYS', 'demo-consumer-key:1:1,demo-consumer-key:2:2', 'listed twice'],
    ['REDIS_URL', 'localhost:6379', 'redis://'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'redis://'],
    ['REDIS_KEY_PREFIX', 'has space', '1-64 characters'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0', 'an integer from 1 to 10000'],
    ['FAULTS_ENABLED', 'yes', 'true or false (or 1 or 0)'],
    ['ADMIN_TOKEN', 'short', '16-256 printable ASCII'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', 'an integer from 0 to 600000'],
    ['REQUEST_TIMEOUT_MS', '10', 'an integer from 1000 to 600000'],
  ])('refuses %s=%s, naming the variable and the accepted form', (variable, value, accepted) => {
    const error = failure({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.code).toBe('ERR_MOCK_API_CONFIG');
    expect(error.message).toContain(variable);
    expect(error.message).toContain(accepted);
  });

  it('requires ADMIN_TOKEN when faults are enabled', () => {
    const error = failure({ FAULTS_ENABLED: 'true' });
    expect(error.variable).toBe('ADMIN_TOKEN');
    expect(error.message).toContain('required when FAULTS_ENABLED=true');
    expect(error.problems).toEqual([
      {
        variable: 'ADMIN_TOKEN',
        message:
          'is required when FAULTS_ENABLED=true (the fault API needs a bearer token): set ADMIN_TOKEN to 16-256 printable ASCII characters without spaces, or FAULTS_ENABLED=false',
      },
    ]);
  });

  it('reports every bad variable at once, in the order they are read, the check across variables last', () => {
    const error = failure({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      API_KEYS: 'short:1:1',
      REDIS_URL: 'localhost:6379',
      FAULTS_ENABLED: 'true',
      REQUEST_TIMEOUT_MS: '10',
    });
    expect(error.problems.map((problem) => problem.variable)).toEqual([
      'PORT',
      'LOG_LEVEL',
      'API_KEYS',
      'REDIS_URL',
      'REQUEST_TIMEOUT_MS',
      'ADMIN_TOKEN',
    ]);
    expect(error.variable).toBe('PORT');
    expect(error.message.split('\n')[0]).toBe('Invalid mock-api configuration (6 problems):');
    expect(error.message).toContain('  - PORT: expected an integer from 0 to 65535, got "eighty"');
  });

  it('names the missing redis:// of a REDIS_URL without a scheme, and what to write instead', () => {
    expect(failure({ REDIS_URL: 'localhost:6379' }).problems).toEqual([
      {
        variable: 'REDIS_URL',
        message:
          'expected redis://[user:password@]host[:port][/db] or rediss://…, like redis://127.0.0.1:6379 ("localhost:6379" has no scheme: write redis://localhost:6379)',
      },
    ]);
    expect(failure({ REDIS_URL: 'http://10.0.0.5:6380' }).problems[0]?.message).toContain(
      'scheme "http:" is not redis: or rediss:; write redis://10.0.0.5:6380',
    );
  });

  it('refuses a REDIS_URL path that is not a database number, which node-redis would throw on', () => {
    expect(failure({ REDIS_URL: 'redis://127.0.0.1:6379/cache' }).problems[0]?.message).toContain(
      'the path "/cache" is not a database number',
    );
    expect(loadConfig({ REDIS_URL: 'rediss://127.0.0.1:6379/3' }).redis?.url).toBe(
      'rediss://127.0.0.1:6379/3',
    );
  });

  it('never prints a Redis password in a message', () => {
    for (const url of [
      'user:hunter2-secret@redis.internal:6379',
      'http://user:hunter2-secret@redis.internal',
    ]) {
      const error = failure({ REDIS_URL: url });
      expect(error.variable).toBe('REDIS_URL');
      expect(error.message).not.toContain('hunter2-secret');
    }
    expect(redactRedisUrl('redis://user:hunter2-secret@redis.internal:6379/1')).toBe(
      'redis://user:***@redis.internal:6379/1',
    );
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('does not print an API key in full when refusing it', () => {
    const error = failure({ API_KEYS: 'super-secret-value:x:1' });
    expect(error.message).not.toContain('super-secret-value');
  });

  it('--help lists every variable loadConfig reads, with its accepted form and default', () => {
    const help = configHelp();
    const names = [...help.matchAll(/^ {2}([A-Z_]+) {2,}/gm)].map((match) => match[1]);
    expect(names).toEqual([
      'PORT',
      'HOST',
      'LOG_LEVEL',
      'RATE_LIMIT_PER_MINUTE',
      'RATE_LIMIT_PER_HOUR',
      'RATE_LIMIT_ON_STORE_ERROR',
      'RATE_LIMIT_ALGORITHM',
      'RATE_LIMIT_ALLOWLIST',
      'API_KEYS',
      'TRUST_PROXY',
      'REDIS_URL',
      'REDIS_CLUSTER_NODES',
      'REDIS_KEY_PREFIX',
      'REDIS_COMMAND_TIMEOUT_MS',
      'FAULTS_ENABLED',
      'ADMIN_TOKEN',
      'SHUTDOWN_TIMEOUT_MS',
      'REQUEST_TIMEOUT_MS',
    ]);
    expect(help).toContain('an integer from 0 to 65535; default: 3001');
    expect(help).toContain('one of open, closed; default: open');
    expect(help).toContain(
      'redis://[user:password@]host[:port][/db] or rediss://…; default: (unset: every store in memory)',
    );
    expect(help).toContain('an integer from 1 to 10000; default: 1000');
    expect(help).toContain('16-256 printable ASCII characters without spaces; default: (unset)');
  });

  it('names the variables that are set but have no effect', () => {
    const env = {
      REDIS_KEY_PREFIX: 'blue:',
      REDIS_COMMAND_TIMEOUT_MS: ' ',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
    };
    expect(unusedVariables(env, loadConfig(env))).toEqual([
      {
        variable: 'REDIS_KEY_PREFIX',
        message:
          'REDIS_KEY_PREFIX has no effect without REDIS_URL or REDIS_CLUSTER_NODES (every store is in memory): set one of them, or unset REDIS_KEY_PREFIX',
      },
      {
        variable: 'ADMIN_TOKEN',
        message:
          'ADMIN_TOKEN has no effect while FAULTS_ENABLED is false (no fault API): set FAULTS_ENABLED=true, or unset ADMIN_TOKEN',
      },
    ]);
    const used = { ...env, REDIS_URL: 'redis://127.0.0.1:6379', FAULTS_ENABLED: 'true' };
    expect(unusedVariables(used, loadConfig(used))).toEqual([]);
  });

  it('does not mutate the environment it reads', () => {
    const env = Object.freeze({ PORT: ' 4000 ', API_KEYS: 'demo-consumer-key:1:2' });
    const snapshot = { ...env };
    expect(loadConfig(env).port).toBe(4000);
    expect(env).toEqual(snapshot);
  });
});
