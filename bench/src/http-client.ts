/**
 * HTTP client benchmark, against a raw `node:http` upstream in a child process, on loopback:
 *
 * (a) per-call cost of `createHttpClient` (retry policy, breaker per attempt, X-Request-ID, hooks) over bare
 *     axios with the same keep-alive agent: sequential calls and 50 concurrent callers, variants alternating
 *     over rounds after a warm-up; wall time and client CPU per call, medians over rounds. Two baselines:
 *     bare axios as is, and bare axios sending the same headers as the client (an `X-Request-ID` generated
 *     per call, as a service propagating ids by hand would), so the extra header is not billed to the client;
 *     and an A/A control (bare axios measured twice) whose "overhead" is the noise floor of the run. The order
 *     of the variants rotates round by round.
 *     Target: overhead <= 5 % (about 20 us on a ~400 us axios call). Also bare axios without keep-alive,
 *     sequential, to show what the default keep-alive agent saves.
 * (a') the same comparison with a stub axios adapter that answers on the next turn of the event loop: no socket,
 *     so the client's own CPU cost per call shows without the loopback noise of a shared machine.
 * (b) rejection cost with the breaker OPEN: per-call latency p50/p99 of rejected calls, and the sockets the
 *     upstream saw opened meanwhile (target p99 <= 20 us, zero sockets). opossum alone, for reference.
 *
 * The calls run in this process (the cost being measured is the client's), so this area does not use the
 * harness' load generator. Tunable with BENCH_ROUNDS (default 5), BENCH_SEQ_CALLS (2000),
 * BENCH_CONC_CALLS (10000), BENCH_REJECT_CALLS (20000).
 */
import { openSync, writeSync } from 'node:fs';
import { Agent } from 'node:http';
import {
  createHttpClient,
  createUndiciAdapter,
  type HttpClient,
  isCircuitOpenError,
} from '@resilience/http-client';
import { createLogger, generateRequestId } from '@resilience/logging';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import CircuitBreaker from 'opossum';
import { Pool } from 'undici';
import {
  type ChildServer,
  envNumber,
  fmt,
  machineLine,
  markdownTable,
  median,
  spawnServer,
} from './harness.js';

const CONCURRENCY = 50;

interface Sample {
  wallUs: number;
  cpuUs: number;
}

/** Runs `total` calls with `concurrency` callers; wall time and process CPU per call, in microseconds. */
async function measure(call: () => Promise<unknown>, total: number, concurrency: number): Promise<Sample> {
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        await call();
      }
    }),
  );
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / total;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallUs, cpuUs: (cpu.user + cpu.system) / total };
}

function percentile(sortedNs: Float64Array, p: number): number {
  const index = Math.min(sortedNs.length - 1, Math.ceil((p / 100) * sortedNs.length) - 1);
  return (sortedNs[Math.max(0, index)] ?? Number.NaN) / 1000;
}

/** Latency of each rejected call, in microseconds: p50, p99, p99.9, max. */
async function rejectionLatency(
  call: () => Promise<unknown>,
  calls: number,
): Promise<{ p50: number; p99: number; p999: number; max: number }> {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i += 1) {
    const t0 = process.hrtime.bigint();
    try {
      await call();
      throw new Error('expected a rejection');
    } catch (error) {
      if (error instanceof Error && error.message === 'expected a rejection') throw error;
    }
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  samples.sort();
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    p999: percentile(samples, 99.9),
    max: (samples[samples.length - 1] ?? Number.NaN) / 1000,
  };
}

async function upstreamStats(url: string): Promise<{ connections: number; requests: number }> {
  // A fresh connection (no agent reuse): it is subtracted below.
  const response = await axios.get<{ connections: number; requests: number }>(`${url}/stats`, {
    httpAgent: new Agent({ keepAlive: false }),
  });
  return response.data;
}

export async function run(): Promise<void> {
  const rounds = envNumber('BENCH_ROUNDS', 5, { integer: true });
  const seqCalls = envNumber('BENCH_SEQ_CALLS', 2000, { integer: true });
  const concCalls = envNumber('BENCH_CONC_CALLS', 10_000, { integer: true });
  const rejectCalls = envNumber('BENCH_REJECT_CALLS', 20_000, { integer: true });

  let upstream: ChildServer | undefined;
  const clients: HttpClient[] = [];
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1_000 });
  const noKeepAlive = new Agent({ keepAlive: false });
  const undiciAdapter = createUndiciAdapter();
  let pool: Pool | undefined;
  try {
    upstream = await spawnServer(new URL('./servers/http-client-upstream.js', import.meta.url), {
      name: 'upstream',
    });
    const baseURL = upstream.url;
    // Synchronous writes to /dev/null (nothing is logged on the happy path; the breaker opening is).
    const fd = openSync('/dev/null', 'w');
    const destination = { write: (line: string) => void writeSync(fd, line) };
    const logger = createLogger({ service: 'bench', destination });
    const noop = (): void => undefined;

    const bare: AxiosInstance = axios.create({ baseURL, httpAgent: agent });
    const bareNoKeepAlive: AxiosInstance = axios.create({ baseURL, httpAgent: noKeepAlive });
    const client = createHttpClient({
      baseURL,
      httpAgent: agent,
      logger,
      hooks: { onAttempt: noop, onRetry: noop, onGiveUp: noop },
    });
    clients.push(client);
    const undiciClient = createHttpClient({
      baseURL,
      transport: 'undici',
      logger,
      hooks: { onAttempt: noop, onRetry: noop, onGiveUp: noop },
    });
    clients.push(undiciClient);
    const axiosUndici: AxiosInstance = axios.create({ baseURL, adapter: undiciAdapter.adapter });
    // The bare transport: undici's own request API on a keep-alive pool, reading the JSON body.
    const bareUndici = new Pool(baseURL);
    pool = bareUndici;

    const variants = [
      { name: 'axios (keep-alive)', call: () => bare.get('/ok') },
      // The same call again: its "overhead" shows how far two identical variants drift apart on this machine.
      { name: 'axios again (A/A control)', call: () => bare.get('/ok') },
      {
        name: 'axios + X-Request-ID (keep-alive)',
        call: () => bare.get('/ok', { headers: { 'X-Request-ID': generateRequestId() } }),
      },
      { name: 'createHttpClient (keep-alive)', call: () => client.get('/ok') },
      {
        name: 'undici.request (bare)',
        call: () => bareUndici.request({ path: '/ok', method: 'GET' }).then((r) => r.body.json()),
      },
      { name: 'axios + undici adapter', call: () => axiosUndici.get('/ok') },
      { name: "createHttpClient (transport 'undici')", call: () => undiciClient.get('/ok') },
    ];

    process.stdout.write(
      `${machineLine()}\n${rounds} rounds; sequential ${seqCalls} calls, concurrency ${CONCURRENCY} x ${concCalls} calls\n`,
    );

    // Warm-up: JIT, sockets, the breaker for the origin.
    for (const v of variants) {
      await measure(v.call, 2_000, 1);
      await measure(v.call, 5_000, CONCURRENCY);
    }
    await measure(() => bareNoKeepAlive.get('/ok'), 300, 1);

    const results = new Map<string, { seq: Sample[]; conc: Sample[] }>();
    for (const v of variants) results.set(v.name, { seq: [], conc: [] });
    const noKeepAliveSeq: Sample[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // Rotated each round, so every variant takes every position (first, after another, last) equally often.
      const order = variants
        .map((_, i) => variants[(i + round) % variants.length])
        .filter((v) => v !== undefined);
      for (const v of order) {
        const seq = await measure(v.call, seqCalls, 1);
        const conc = await measure(v.call, concCalls, CONCURRENCY);
        results.get(v.name)?.seq.push(seq);
        results.get(v.name)?.conc.push(conc);
        process.stdout.write(
          `  round ${round + 1} ${v.name}: seq ${fmt.us(seq.wallUs)} us/call (cpu ${fmt.us(seq.cpuUs)}), ` +
            `c${CONCURRENCY} ${fmt.us(conc.wallUs)} us/call (cpu ${fmt.us(conc.cpuUs)})\n`,
        );
      }
      noKeepAliveSeq.push(await measure(() => bareNoKeepAlive.get('/ok'), Math.min(seqCalls, 1_000), 1));
    }

    const med = (samples: Sample[], key: keyof Sample): number => median(samples.map((s) => s[key]));
    const plainBase = results.get('axios (keep-alive)');
    const headersBase = results.get('axios + X-Request-ID (keep-alive)');
    const rows = [...results].map(([name, r]) => {
      const over = (
        mode: 'seq' | 'conc',
        key: keyof Sample,
        base: { seq: Sample[]; conc: Sample[] } | undefined = plainBase,
      ): string => {
        if (base === undefined || r === base || r === plainBase) return '—';
        // Median of the per-round differences: all variants of a round ran back to back.
        const delta = median(r[mode].map((sample, i) => sample[key] - (base[mode][i]?.[key] ?? Number.NaN)));
        return `${delta >= 0 ? '+' : ''}${fmt.us(delta)} us (${((100 * delta) / med(base[mode], key)).toFixed(1)} %)`;
      };
      return [
        name,
        fmt.us(med(r.seq, 'wallUs')),
        fmt.us(med(r.seq, 'cpuUs')),
        over('seq', 'wallUs'),
        over('seq', 'cpuUs'),
        fmt.us(med(r.conc, 'wallUs')),
        fmt.us(med(r.conc, 'cpuUs')),
        over('conc', 'wallUs'),
        over('conc', 'cpuUs'),
        r === headersBase ? '—' : over('seq', 'cpuUs', headersBase),
        r === headersBase ? '—' : over('conc', 'cpuUs', headersBase),
      ];
    });
    rows.push([
      'axios (no keep-alive)',
      fmt.us(med(noKeepAliveSeq, 'wallUs')),
      fmt.us(med(noKeepAliveSeq, 'cpuUs')),
      '',
      '',
      'n/a',
      'n/a',
      '',
      '',
      '',
      '',
    ]);
    process.stdout.write(
      `\n(a) per-call cost (medians over ${rounds} rounds; wall = elapsed / calls, cpu = this process' CPU / calls;\n` +
        'overhead = median of the per-round differences, all variants of a round measured back to back;\n' +
        '"same headers" = cpu overhead over axios sending the same X-Request-ID header)\n\n',
    );
    process.stdout.write(
      `${markdownTable(
        [
          'variant',
          'seq wall us/call',
          'seq cpu us/call',
          'seq wall overhead',
          'seq cpu overhead',
          `c${CONCURRENCY} wall us/call`,
          `c${CONCURRENCY} cpu us/call`,
          `c${CONCURRENCY} wall overhead`,
          `c${CONCURRENCY} cpu overhead`,
          'seq cpu over same headers',
          `c${CONCURRENCY} cpu over same headers`,
        ],
        rows,
      )}\n`,
    );

    // Client over its own bare transport, per-round differences of CPU per call.
    const pairs: Array<[string, string]> = [
      ['createHttpClient (keep-alive)', 'axios (keep-alive)'],
      ['axios + undici adapter', 'undici.request (bare)'],
      ["createHttpClient (transport 'undici')", 'undici.request (bare)'],
      ["createHttpClient (transport 'undici')", 'axios + undici adapter'],
      ["createHttpClient (transport 'undici')", 'createHttpClient (keep-alive)'],
    ];
    const overRows = pairs.map(([name, baseName]) => {
      const r = results.get(name);
      const b = results.get(baseName);
      const delta = (mode: 'seq' | 'conc'): string => {
        if (r === undefined || b === undefined) return 'n/a';
        const d = r[mode].map((sample, i) => sample.cpuUs - (b[mode][i]?.cpuUs ?? Number.NaN));
        const ds = [...d].sort((x, y) => x - y);
        return `${fmt.us(median(d))} us (rounds ${fmt.us(ds[0] ?? Number.NaN)} .. ${fmt.us(ds[ds.length - 1] ?? Number.NaN)})`;
      };
      return [`${name} over ${baseName}`, delta('seq'), delta('conc')];
    });
    process.stdout.write('\n(a2) cpu per call over the bare transport (median of per-round differences)\n\n');
    process.stdout.write(
      `${markdownTable(['comparison', 'seq cpu delta', `c${CONCURRENCY} cpu delta`], overRows)}\n`,
    );

    // (a') No network: both answer from a stub adapter on the next turn of the event loop.
    const stubAdapter: AxiosAdapter = (config) =>
      new Promise((resolve) =>
        setImmediate(() =>
          resolve({ data: '{"id":42}', status: 200, statusText: 'OK', headers: {}, config, request: {} }),
        ),
      );
    const stubBare = axios.create({ baseURL, adapter: stubAdapter });
    const stubClient = createHttpClient({
      baseURL,
      logger,
      hooks: { onAttempt: noop, onRetry: noop, onGiveUp: noop },
    });
    clients.push(stubClient);
    const stubVariants = [
      { name: 'axios, stub adapter', call: () => stubBare.get('/ok') },
      {
        name: 'axios + X-Request-ID, stub adapter',
        call: () => stubBare.get('/ok', { headers: { 'X-Request-ID': generateRequestId() } }),
      },
      { name: 'createHttpClient, stub adapter', call: () => stubClient.get('/ok', { adapter: stubAdapter }) },
    ];
    const stubCalls = Math.max(seqCalls * 5, 10_000);
    for (const v of stubVariants) await measure(v.call, stubCalls, 1);
    const stubResults = new Map<string, Sample[]>(stubVariants.map((v) => [v.name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (const v of round % 2 === 0 ? stubVariants : [...stubVariants].reverse()) {
        stubResults.get(v.name)?.push(await measure(v.call, stubCalls, 1));
      }
    }
    const stubBase = med(stubResults.get('axios, stub adapter') ?? [], 'cpuUs');
    process.stdout.write(
      `\n(a') without network (stub adapter, sequential ${stubCalls} calls, medians over ${rounds} rounds)\n\n`,
    );
    process.stdout.write(
      `${markdownTable(
        ['variant', 'cpu us/call', 'overhead'],
        [...stubResults].map(([name, samples]) => {
          const cpuUs = med(samples, 'cpuUs');
          return [name, cpuUs.toFixed(1), cpuUs === stubBase ? '—' : `+${(cpuUs - stubBase).toFixed(1)} us`];
        }),
      )}\n`,
    );

    // (b) Open breaker: 5 failed attempts open it; then every call is rejected without touching the network.
    const breakerClient = createHttpClient({ baseURL, httpAgent: agent, retry: false, logger });
    clients.push(breakerClient);
    for (let i = 0; i < 5; i += 1) await breakerClient.get('/fail').catch(() => undefined);
    const state = breakerClient.breakers?.get(baseURL).state;
    if (state !== 'OPEN') throw new Error(`breaker should be OPEN, is ${state}`);
    const rejected = breakerClient.get('/ok').catch((e: unknown) => e);
    if (!isCircuitOpenError(await rejected)) throw new Error('expected a CircuitOpenError');
    await rejectionLatency(() => breakerClient.get('/ok'), 2_000);
    const before = await upstreamStats(baseURL);
    const clientRejection = await rejectionLatency(() => breakerClient.get('/ok'), rejectCalls);
    const after = await upstreamStats(baseURL);
    // The second /stats call opened one connection and made one request itself.
    const socketsOpened = after.connections - before.connections - 1;
    const requestsServed = after.requests - before.requests - 1;

    const opossum = new CircuitBreaker(async () => undefined, { timeout: false });
    opossum.open();
    await rejectionLatency(() => opossum.fire(), 2_000);
    const opossumRejection = await rejectionLatency(() => opossum.fire(), rejectCalls);
    opossum.shutdown();

    process.stdout.write(`\n(b) rejection with the breaker OPEN (${rejectCalls} calls, one at a time)\n\n`);
    process.stdout.write(
      `${markdownTable(
        ['variant', 'p50 us', 'p99 us', 'p99.9 us', 'max us', 'sockets opened', 'requests served'],
        [
          [
            'createHttpClient().get() rejected',
            clientRejection.p50.toFixed(1),
            clientRejection.p99.toFixed(1),
            clientRejection.p999.toFixed(1),
            fmt.us(clientRejection.max),
            socketsOpened,
            requestsServed,
          ],
          [
            'opossum fire() alone, for reference',
            opossumRejection.p50.toFixed(1),
            opossumRejection.p99.toFixed(1),
            opossumRejection.p999.toFixed(1),
            fmt.us(opossumRejection.max),
            '—',
            '—',
          ],
        ],
      )}\n`,
    );
  } finally {
    for (const c of clients) c.close();
    agent.destroy();
    noKeepAlive.destroy();
    undiciAdapter.close();
    await pool?.destroy();
    await upstream?.stop();
  }
}
