/**
 * The logger this package writes to: any pino-compatible logger, such as the one from
 * `@resilience/logging`'s `createLogger()`. Lines are written as `logger.info(fields, msg)`.
 */
export interface ServerLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}
