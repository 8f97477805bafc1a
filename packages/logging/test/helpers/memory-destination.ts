import type { DestinationStream } from 'pino';

/** One parsed log line. */
export type LogLine = Record<string, unknown>;

/** A pino destination that keeps every line in memory, for tests to parse and assert on. */
export interface MemoryDestination extends DestinationStream {
  /** Raw lines as written, newline included. */
  readonly raw: string[];
  /** Every line parsed as JSON. */
  lines(): LogLine[];
  /** Resolves with the first line (already written or still to come) that matches. */
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  clear(): void;
}

export function createMemoryDestination(): MemoryDestination {
  const raw: string[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const parse = (line: string): LogLine => {
    const parsed: LogLine = JSON.parse(line);
    return parsed;
  };
  return {
    raw,
    write(line: string): void {
      raw.push(line);
      const parsed = parse(line);
      for (let i = waiters.length - 1; i >= 0; i -= 1) {
        const waiter = waiters[i];
        if (waiter?.predicate(parsed)) {
          waiters.splice(i, 1);
          waiter.resolve(parsed);
        }
      }
    },
    lines: () => raw.map(parse),
    waitFor(predicate) {
      const found = raw.map(parse).find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    clear(): void {
      raw.length = 0;
    },
  };
}
