import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import type { ArtilleryConsoleEvent } from '../src/artillery-console.js';
import type { Schedule } from '../src/artillery-deadline.js';
import { runArtillery } from '../src/artillery-process.js';
import { createProcessRegistry } from '../src/process-group.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

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

/**
 * A schedule the test fires by hand: the kill timer's delays are recorded and nothing fires on real time, so the
 * assertions are about what the runner does when its deadline passes, however slow the machine is.
 */
function manualSchedule() {
  const armed: { callback: () => void; delayMs: number; cancelled: boolean }[] = [];
  const schedule: Schedule = (callback, delayMs) => {
    const entry = { callback, delayMs, cancelled: false };
    armed.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return {
    schedule,
    armed,
    /** Fires the timer that is armed now (the last one not cancelled). */
    fire() {
      const current = armed.filter((entry) => !entry.cancelled).at(-1);
      if (current === undefined) throw new Error('no kill timer is armed');
      current.callback();
    },
  };
}

async function run(
  name: string,
  env: Record<string, string>,
  timeoutMarginMs: number,
  timer?: {
    schedule: Schedule;
    fireWhen: (events: readonly ArtilleryConsoleEvent[], log: string) => boolean;
    fire: () => void;
  },
) {
  const registry = createProcessRegistry();
  const events: { event: ArtilleryConsoleEvent; at: number }[] = [];
  const consoleLogPath = join(directory, `${name}.log`);
  const running = runArtillery({
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
    ...(timer === undefined ? {} : { schedule: timer.schedule }),
  });
  if (timer !== undefined) {
    // Wait (on events, not on a clock) until the stand-in has got as far as the test needs, then let the deadline
    // pass.
    for (;;) {
      const log = await readFile(consoleLogPath, 'utf8').catch(() => '');
      if (
        timer.fireWhen(
          events.map(({ event }) => event),
          log,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    timer.fire();
  }
  const result = await running;
  const consoleLog = await readFile(consoleLogPath, 'utf8');
  const grandchildPid = Number(/grandchild (\d+)/.exec(consoleLog)?.[1]);
  await registry.stopAll();
  return { result, events, grandchildPid, registry };
}

// Real processes: bounded by their events, with minutes to spare on a busy machine.
describe.concurrent('the Artillery timeout', { timeout: 180_000 }, () => {
  it('kills a stuck Artillery and its process group after the last phase plus the margin', async ({
    expect,
  }) => {
    const timer = manualSchedule();
    const { result, grandchildPid, registry } = await run('after-phase', { STAND_IN_PHASE_SEC: '1' }, 200, {
      ...timer,
      fireWhen: (events, log) =>
        events.some((event) => event.type === 'phase-started') && /grandchild \d+/.test(log),
    });

    expect(result.timedOut).toBe('timed out: no exit 0.2 s after phase only (1 s) should have ended; killed');
    expect(result.exitCode).toBeNull();
    // The phase start moved the deadline to the phase's planned end + the margin: armed for 0.2 s at start,
    // then for 1 s + 0.2 s.
    expect(timer.armed.map((entry) => entry.delayMs)).toEqual([200, 1_200]);
    expect(timer.armed[0]?.cancelled).toBe(true);
    expect(registry.running()).toEqual([]);
    expect(grandchildPid).toBeGreaterThan(0);
    // The whole process group went: bounded generously, it ends as soon as the kernel has reaped it.
    await expect.poll(() => alive(grandchildPid), { timeout: 60_000 }).toBe(false);
  });

  it('kills an Artillery that never starts a phase once the margin has passed', async ({ expect }) => {
    const timer = manualSchedule();
    const { result, events, grandchildPid } = await run('no-phase', {}, 200, {
      ...timer,
      fireWhen: (_events, log) => /grandchild \d+/.test(log),
    });
    expect(timer.armed.map((entry) => entry.delayMs)).toEqual([200]);

    expect(result.timedOut).toBe('timed out: no exit 0.2 s after the first phase to start; killed');
    expect(result.exitCode).toBeNull();
    expect(events).toEqual([]);
    // The whole process group went: bounded generously, it ends as soon as the kernel has reaped it.
    await expect.poll(() => alive(grandchildPid), { timeout: 60_000 }).toBe(false);
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
