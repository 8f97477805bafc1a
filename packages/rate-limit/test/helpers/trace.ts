/** One request of a generated trace. */
export interface TraceRequest {
  readonly client: string;
  /** ms since the start of the trace. */
  readonly at: number;
}

/** mulberry32: a small seeded generator, so a trace is the same on every machine and run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TraceOptions {
  readonly seed: number;
  readonly clients: number;
  readonly requests: number;
  readonly windowMs: number;
  /** The limit the trace is made to press against: clients send from half to four times this rate. */
  readonly limit: number;
  /** Bursts (a quarter of the gaps 50-500 ms) and pauses of one to three windows; false: Poisson arrivals. */
  readonly bursty: boolean;
}

/**
 * Requests of `clients` clients, sorted by time: each client has its own mean rate (from half to four times the
 * limit per window); `bursty` clients also send in bursts (a quarter of their gaps are 50-500 ms) and pause now
 * and then for one to three windows. Integer milliseconds; ties keep client order.
 */
export function generateTrace(options: TraceOptions): TraceRequest[] {
  const random = seededRandom(options.seed);
  const perClient = Math.floor(options.requests / options.clients);
  const all: TraceRequest[] = [];
  for (let c = 0; c < options.clients; c += 1) {
    const client = `client-${c}`;
    const rate = (options.limit / options.windowMs) * (0.5 + random() * 3.5);
    let at = Math.floor(random() * options.windowMs);
    for (let i = 0; i < perClient; i += 1) {
      all.push({ client, at });
      const roll = random();
      let gap: number;
      if (options.bursty && roll < 0.25) gap = 50 + random() * 450;
      else if (options.bursty && roll < 0.27) gap = options.windowMs * (1 + random() * 2);
      else gap = -Math.log(1 - random()) / rate;
      at += Math.max(1, Math.round(gap));
    }
  }
  return all.sort((a, b) => a.at - b.at);
}
