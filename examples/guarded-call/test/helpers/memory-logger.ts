import { createLogger, type Logger } from '@resilience/logging';

export type LogLine = Record<string, unknown>;

/** A logger writing parsed JSON lines into an array. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}
