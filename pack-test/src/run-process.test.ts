import { delimiter, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { describeResult, runProcess, userEnvironment } from './run-process.js';

describe('userEnvironment', () => {
  const root = join('/', 'repo');

  it('drops what pnpm and vitest add, and keeps the machine npm configuration', () => {
    const env = userEnvironment(root, {
      HOME: '/home/u',
      NODE_PATH: join(root, 'node_modules/.pnpm/node_modules'),
      npm_config_user_agent: 'pnpm/12',
      npm_package_name: '@resilience/pack-test',
      PNPM_PACKAGE_NAME: '@resilience/pack-test',
      pnpm_config_verify_deps_before_run: 'false',
      VITEST: 'true',
      VITEST_WORKER_ID: '1',
      NODE_ENV: 'test',
      NPM_CONFIG_REGISTRY: 'http://127.0.0.1:4873/',
      HTTPS_PROXY: 'http://proxy:3128',
    });
    expect(env).toEqual({
      HOME: '/home/u',
      NPM_CONFIG_REGISTRY: 'http://127.0.0.1:4873/',
      HTTPS_PROXY: 'http://proxy:3128',
    });
  });

  it('removes PATH entries inside the workspace only', () => {
    const PATH = [
      join(root, 'pack-test/node_modules/.bin'),
      join(root, 'node_modules/.bin'),
      '/usr/bin',
      '/repository/bin',
    ].join(delimiter);
    expect(userEnvironment(root, { PATH }).PATH).toBe(['/usr/bin', '/repository/bin'].join(delimiter));
  });
});

describe('runProcess', () => {
  vi.setConfig({ testTimeout: 120_000 });

  it('kills a process that runs past timeoutMs and says so', async () => {
    // Never exits on its own: only the time limit ends it.
    const result = await runProcess(process.execPath, ['-e', 'setInterval(() => {}, 1_000)'], {
      cwd: process.cwd(),
      timeoutMs: 200,
    });
    expect(result).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });
    expect(describeResult('hang', result)).toContain('signal SIGKILL (killed: it ran past its time limit)');
  });

  it('leaves a process that exits in time alone', async () => {
    const result = await runProcess(process.execPath, ['-e', 'process.stdout.write("done")'], {
      cwd: process.cwd(),
      timeoutMs: 100_000,
    });
    expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stdout: 'done' });
  });
});
