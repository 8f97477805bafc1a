import type { LoggerOptions } from '@resilience/logging';

type DestinationStream = NonNullable<LoggerOptions['destination']>;

export type LogLine = Record<string, unknown> & { msg?: string; level?: string; requestId?: string };

/** An in-memory log destination: every JSON line a logger writes, parsed. */
export interface LogSink {
  readonly lines: LogLine[];
  readonly destination: DestinationStream;
  /** Lines whose `requestId` is `id`. */
  forRequest(id: string): LogLine[];
}

export function createLogSink(): LogSink {
  const lines: LogLine[] = [];
  return {
    lines,
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
    forRequest: (id) => lines.filter((line) => line.requestId === id),
  };
}
