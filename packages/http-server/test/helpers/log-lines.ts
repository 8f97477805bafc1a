import { createLogger, type Logger } from '@resilience/logging';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real logger writing JSON lines into memory, and the parsed lines. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    service: 'http-server-test',
    level: 'debug',
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { logger, lines };
}
