import { createLogger } from '@resilience/logging';
import { createApp, type MockApi, type MockApiDeps } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface TestApp {
  readonly mockApi: MockApi;
  readonly logs: LogLine[];
  /** Resolves with the first line (already written or still to come) that `predicate` accepts. Timer-free. */
  logged(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  close(): Promise<void>;
}

/** Test settings every app gets unless the test says otherwise. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * A mock-api built from environment-style settings (validated by the real `loadConfig`), logging into an
 * array of parsed lines, without default process metrics (costly to register over and over).
 */
export function buildApp(env: Record<string, string> = {}, deps: MockApiDeps = {}): TestApp {
  const logs: LogLine[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  const push = (line: LogLine): void => {
    logs.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  const config = loadConfig({ LOG_LEVEL: 'debug', ...env });
  const logger = createLogger({
    level: 'debug',
    service: 'mock-api',
    destination: { write: (line: string) => push(JSON.parse(line) as LogLine) },
  });
  const mockApi = createApp(config, { logger, collectDefaultMetrics: false, ...deps });
  return {
    mockApi,
    logs,
    logged(predicate) {
      const found = logs.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.add({ predicate, resolve }));
    },
    close: () => mockApi.close(),
  };
}

/** Settings that turn the fault API on. */
export const FAULTS_ENV = { FAULTS_ENABLED: 'true', ADMIN_TOKEN: TEST_ADMIN_TOKEN } as const;
