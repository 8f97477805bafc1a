import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore, type RateLimitAlgorithm, type WindowCount } from '../src/index.js';
import { fits, rollWindow, usedAt } from '../src/window-math.js';
import { generateTrace, type TraceRequest } from './helpers/trace.js';

// 100,000-request traces: CPU-bound, and far slower under coverage (mutation testing) or on a busy machine. Nothing
// here depends on time, so a generous timeout replaces the 20 s default.
vi.setConfig({ testTimeout: 300_000 });

const WINDOW_MS = 60_000;
const LIMIT = 10;

/** The reference: an exact sliding log, which lets a request through when fewer than LIMIT passed in (t - W, t]. */
function exactLog(trace: readonly TraceRequest[]): boolean[] {
  const passed = new Map<string, number[]>();
  return trace.map(({ client, at }) => {
    const log = passed.get(client) ?? [];
    while (log.length > 0 && (log[0] as number) <= at - WINDOW_MS) log.shift();
    const allowed = log.length < LIMIT;
    if (allowed) log.push(at);
    passed.set(client, log);
    return allowed;
  });
}

async function counter(trace: readonly TraceRequest[], algorithm: RateLimitAlgorithm): Promise<boolean[]> {
  const store = createMemoryStore({ sweepIntervalMs: 0 });
  const windows = [{ name: 'minute', windowMs: WINDOW_MS, limit: LIMIT, algorithm }];
  const decisions: boolean[] = [];
  for (const { client, at } of trace) {
    decisions.push((await store.consume(client, windows, at)).refusedBy === -1);
  }
  store.shutdown();
  return decisions;
}

/** Most requests any client got through within one window length (an exact limiter never exceeds LIMIT). */
function worstWindow(trace: readonly TraceRequest[], allowed: readonly boolean[]): number {
  const passed = new Map<string, number[]>();
  let worst = 0;
  trace.forEach(({ client, at }, index) => {
    if (!allowed[index]) return;
    const log = passed.get(client) ?? [];
    log.push(at);
    while ((log[0] as number) <= at - WINDOW_MS) log.shift();
    passed.set(client, log);
    worst = Math.max(worst, log.length);
  });
  return worst;
}

/**
 * The estimate's own error: on the exact log's history (the requests it let through), how far the counter's
 * count (rollWindow + usedAt, the code both stores run) is from the exact count of the window, on average, and
 * how often its decision (fits) differs. Both look at the same past, so one difference does not change the
 * next request's history. Most differing decisions are borderline ones of clients sending above the limit.
 */
function sameHistoryErrors(
  trace: readonly TraceRequest[],
  exact: readonly boolean[],
  algorithm: RateLimitAlgorithm,
) {
  const counts = new Map<string, WindowCount>();
  const logs = new Map<string, number[]>();
  let falseAllows = 0;
  let falseRefusals = 0;
  let absoluteError = 0;
  trace.forEach(({ client, at }, index) => {
    const count = rollWindow(counts.get(client), at, WINDOW_MS, algorithm);
    const used = usedAt(count, at, WINDOW_MS, algorithm);
    const log = logs.get(client) ?? [];
    while (log.length > 0 && (log[0] as number) <= at - WINDOW_MS) log.shift();
    absoluteError += Math.abs(used - log.length);
    const allowed = fits(used, LIMIT);
    if (allowed && !exact[index]) falseAllows += 1;
    if (!allowed && exact[index]) falseRefusals += 1;
    if (exact[index]) log.push(at);
    logs.set(client, log);
    counts.set(client, exact[index] ? { ...count, current: count.current + 1 } : count);
  });
  return {
    meanCountError: Math.round((absoluteError / trace.length) * 1000) / 1000,
    falseAllows: percent(falseAllows, trace.length),
    falseRefusals: percent(falseRefusals, trace.length),
  };
}

function percent(count: number, total: number): number {
  return Math.round((count / total) * 100_000) / 1000;
}

const TRACES = {
  // 200 clients, 100,000 requests each, pressing on 10 per minute (the README quotes these figures).
  poisson: generateTrace({
    seed: 20_260_101,
    clients: 200,
    requests: 100_000,
    windowMs: WINDOW_MS,
    limit: LIMIT,
    bursty: false,
  }),
  bursty: generateTrace({
    seed: 20_260_101,
    clients: 200,
    requests: 100_000,
    windowMs: WINDOW_MS,
    limit: LIMIT,
    bursty: true,
  }),
};

describe.each([
  [
    'poisson',
    {
      sliding: { meanCountError: 1.201, falseAllows: 12.748, falseRefusals: 15.778 },
      fixed: { meanCountError: 3.128, falseAllows: 25.54, falseRefusals: 0 },
    },
    {
      exact: { passed: 51971, worstWindow: 10 },
      sliding: { passed: 50272, worstWindow: 14 },
      fixed: { passed: 53960, worstWindow: 19 },
    },
  ],
  [
    'bursty',
    {
      sliding: { meanCountError: 1.304, falseAllows: 8.365, falseRefusals: 13.07 },
      fixed: { meanCountError: 1.5, falseAllows: 10.435, falseRefusals: 0 },
    },
    {
      exact: { passed: 48053, worstWindow: 10 },
      sliding: { passed: 45772, worstWindow: 17 },
      fixed: { passed: 50185, worstWindow: 19 },
    },
  ],
] as const)('the sliding-window counter against an exact sliding log, %s trace', (name, errors, run) => {
  const trace = TRACES[name];

  it("misjudges this share of requests on the exact log's history", () => {
    const exact = exactLog(trace);
    const sliding = sameHistoryErrors(trace, exact, 'sliding');
    const fixed = sameHistoryErrors(trace, exact, 'fixed');
    process.stdout.write(
      `${name}: same-history errors in % of ${trace.length} requests: ${JSON.stringify({ sliding, fixed })}\n`,
    );
    expect({ sliding, fixed }).toEqual(errors);
  });

  it('run as a limiter, lets through about what the exact log does, with this many at most in one window', async () => {
    const exact = exactLog(trace);
    const slidingRun = await counter(trace, 'sliding');
    const fixedRun = await counter(trace, 'fixed');
    const passed = (decisions: readonly boolean[]) => decisions.filter(Boolean).length;
    const figures = {
      exact: { passed: passed(exact), worstWindow: worstWindow(trace, exact) },
      sliding: { passed: passed(slidingRun), worstWindow: worstWindow(trace, slidingRun) },
      fixed: { passed: passed(fixedRun), worstWindow: worstWindow(trace, fixedRun) },
    };
    process.stdout.write(`${name}: limiters run on ${trace.length} requests: ${JSON.stringify(figures)}\n`);
    expect(figures).toEqual(run);
  });
});

describe('generateTrace', () => {
  it('generates the same trace from the same seed', () => {
    const again = generateTrace({
      seed: 20_260_101,
      clients: 200,
      requests: 100_000,
      windowMs: WINDOW_MS,
      limit: LIMIT,
      bursty: true,
    });
    expect(again.slice(0, 50)).toEqual(TRACES.bursty.slice(0, 50));
    expect(again.at(-1)).toEqual(TRACES.bursty.at(-1));
  });
});
