import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@resilience/logging';

export interface CapturedLogs {
  readonly logger: Logger;
  /** Parsed JSON lines written so far. */
  readonly lines: Array<Record<string, unknown>>;
}

/** A real logger from `@resilience/logging` writing JSON lines into memory. */
export function captureLogs(): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger({ service: 'http-client-test', level: 'debug', destination });
  return { logger, lines };
}
