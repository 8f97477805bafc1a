import { isConfigError } from '@resilience/http-server';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(CONFIG_DEFAULTS);
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        UPSTREAM_URL: 'https://api.example/items',
        POLL_INTERVAL_MS: '100',
        UPSTREAM_TIMEOUT_MS: '200',
        REQUEST_DEADLINE_MS: '900',
        RETRY_MAX: '0',
        RETRY_BASE_MS: '0',
        BREAKER_FAILURE_THRESHOLD: '2',
        BREAKER_RESET_MS: '300',
        LOG_LEVEL: 'warn',
      }),
    ).toEqual({
      upstreamUrl: 'https://api.example/items',
      pollIntervalMs: 100,
      upstreamTimeoutMs: 200,
      requestDeadlineMs: 900,
      retryMax: 0,
      retryBaseMs: 0,
      breakerFailureThreshold: 2,
      breakerResetMs: 300,
      logLevel: 'warn',
    });
  });

  it('names every invalid variable at once', () => {
    let thrown: unknown;
    try {
      loadConfig({ UPSTREAM_URL: 'ftp://x', RETRY_MAX: '-1' });
    } catch (error) {
      thrown = error;
    }
    expect(isConfigError(thrown)).toBe(true);
    const variables = isConfigError(thrown) ? thrown.problems.map((p) => p.variable) : [];
    expect(variables).toEqual(['UPSTREAM_URL', 'RETRY_MAX']);
  });

  it('refuses an attempt timeout as long as the deadline when retries are on, but not with RETRY_MAX=0', () => {
    expect(() => loadConfig({ UPSTREAM_TIMEOUT_MS: '10000' })).toThrow(
      /UPSTREAM_TIMEOUT_MS, REQUEST_DEADLINE_MS/,
    );
    expect(loadConfig({ UPSTREAM_TIMEOUT_MS: '10000', RETRY_MAX: '0' }).upstreamTimeoutMs).toBe(10_000);
  });
});
