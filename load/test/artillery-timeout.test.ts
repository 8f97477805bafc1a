import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ArtilleryConsoleEvent } from '../src/artillery-console.js';
import { runArtillery } from '../src/artillery-process.js';
import { createProcessRegistry } from '../src/process-group.js';

// A stand-in for Artillery's CLI: it prints the phase line Artillery prints (when asked), starts a grandchild
// (`sleep`), prints its pid, and then never exits by itself unless `STAND_IN_EXIT` is set.
const STUCK_ARTILLERY = `
const { spawn } = require('node:child_process');
if (process.env.STAND_IN_EXIT) process.exit(0);
if (process.env.STAND_IN_PHASE_SEC) {
  process.stdout.write('Phase started: only (index: 0, duration: ' + process.env.STAND_IN_PHASE_SEC + 's)\\n');
}
const grandchild = spawn('sleep', ['30'], { stdio: 'ignore' });
process.stdout.write('grandchild ' + grandchild.pid + '\\n');
setInterval(() => {}, 1000);
`;

let directory: string;
let bin: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'load-timeout-'));
  bin = join(directory, 'stuck-artillery.cjs');
  await writeFile(bin, STUCK_ARTILLERY);
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

async function run(name: string, env: Record<string, string>, timeoutMarginMs: number) {
  const registry = createProcessRegistry();
  const events: { event: ArtilleryConsoleEvent; at: number }[] = [];
  const consoleLogPath = join(directory, `${name}.log`);
  const result = await runArtillery({
    registry,
    bin,
    scriptPath: join(directory, 'unused.yml'),
    environment: 'smoke',
    target: 'http://127.0.0.1:9',
    variables: {},
    outputPath: join(directory, `${name}.json`),
    consoleLogPath,
    requestLogPrefix: join(directory, `${name}-requests`),
    env,
    onEvent: (event, at) => events.push({ event, at }),
    timeoutMarginMs,
  });
  const consoleLog = await readFile(consoleLogPath, 'utf8');
  const grandchildPid = Number(/grandchild (\d+)/.exec(consoleLog)?.[1]);
  await registry.stopAll();
  return { result, events, grandchildPid, registry };
}

describe.concurrent('the Artillery timeout', () => {
  it('kills a stuck Artillery and its process group after the last phase plus the margin', async ({
    expect,
  }) => {
    const { result, events, grandchildPid, registry } = await run(
      'after-phase',
      { STAND_IN_PHASE_SEC: '1' },
      200,
    );

    expect(result.timedOut).toBe('timed out: no exit 0.2 s after phase only (1 s) should have ended; killed');
    expect(result.exitCode).toBeNull();
    // The phase start moved the deadline: the kill came no earlier than the phase's planned end + the margin.
    const phaseAt = events.find(({ event }) => event.type === 'phase-started')?.at ?? Number.NaN;
    expect(result.endedAt - phaseAt).toBeGreaterThanOrEqual(1_200);
    expect(registry.running()).toEqual([]);
    expect(grandchildPid).toBeGreaterThan(0);
    await expect.poll(() => alive(grandchildPid), { timeout: 2_000 }).toBe(false);
  });

  it('kills an Artillery that never starts a phase once the margin has passed', async ({ expect }) => {
    const { result, events, grandchildPid } = await run('no-phase', {}, 200);

    expect(result.timedOut).toBe('timed out: no exit 0.2 s after the first phase to start; killed');
    expect(result.exitCode).toBeNull();
    expect(events).toEqual([]);
    await expect.poll(() => alive(grandchildPid), { timeout: 2_000 }).toBe(false);
  });

  it('leaves an Artillery that exits by itself alone', async ({ expect }) => {
    const { result } = await run('exits', { STAND_IN_EXIT: '1' }, 60_000);

    expect(result.timedOut).toBeUndefined();
    expect(result.exitCode).toBe(0);
  });

  it('rejects a margin that is not a positive number', async ({ expect }) => {
    await expect(run('bad-margin', {}, 0)).rejects.toThrow(/timeoutMarginMs must be a positive number/);
  });
});
