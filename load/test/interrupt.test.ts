import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../src/main.js';
import { createProcessRegistry, type GroupProcess, type ProcessRegistry } from '../src/process-group.js';
import type { ScenarioResult } from '../src/scenario-result.js';
import { transpileProcessor, writeFixtureScenario } from './helpers/artillery-fixture.js';
import { memoryStream } from './helpers/memory-stream.js';
import { standInService } from './helpers/stand-in-server.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'load-interrupt-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A registry that remembers every process spawned through it. */
function recordingRegistry(): { registry: ProcessRegistry; spawned: GroupProcess[] } {
  const inner = createProcessRegistry();
  const spawned: GroupProcess[] = [];
  return {
    spawned,
    registry: {
      ...inner,
      spawn(options) {
        const started = inner.spawn(options);
        spawned.push(started);
        return started;
      },
    },
  };
}

describe('interrupting a run (Ctrl-C)', () => {
  it('stops Artillery and every service, keeps the report so far and exits 130', async () => {
    const processorPath = await transpileProcessor(directory);
    const scriptPath = await writeFixtureScenario(directory, 'long', {
      processorPath,
      ensure: ['conditions:', '  - expression: vusers.failed == 0'],
    });
    // A 120 s phase under a 180 s test timeout: if Ctrl-C were ignored, the run would last the whole phase and the
    // elapsed-time check below would fail (with a message) before the test timed out.
    const { writeFile } = await import('node:fs/promises');
    const yaml = await readFile(scriptPath, 'utf8');
    await writeFile(scriptPath, yaml.replace('duration: 1', 'duration: 120'));

    const { registry, spawned } = recordingRegistry();
    const controller = new AbortController();
    const reportDir = join(directory, 'report');
    const started = Date.now();
    const code = await main(['--smoke', '--report-dir', reportDir], {
      scenarios: [
        {
          name: 'long',
          title: 'interrupted while running',
          scriptPath,
          thresholds: [],
          async setup(context) {
            const first = await context.startService(standInService('first'));
            await context.startService(standInService('second'));
            return {
              target: first.url,
              // The phase has started: Artillery and both services are running. Press Ctrl-C.
              onPhaseStart: {
                only: async () => {
                  controller.abort(new Error('SIGINT'));
                  return 'interrupted';
                },
              },
            };
          },
        },
      ],
      registry,
      signal: controller.signal,
      stdout: memoryStream(),
      stderr: memoryStream(),
      redisUrl: 'redis://127.0.0.1:6379',
    });

    expect(code).toBe(EXIT.interrupted);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(spawned.map((process) => process.name)).toEqual(['first', 'second', 'artillery']);
    for (const process of spawned) {
      expect(process.hasExited()).toBe(true);
      expect(alive(process.pid)).toBe(false);
    }
    const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as {
      results: ScenarioResult[];
    };
    expect(summary.results[0]?.error).toBe('interrupted');
    expect(summary.results[0]?.passed).toBe(false);
  });
});
