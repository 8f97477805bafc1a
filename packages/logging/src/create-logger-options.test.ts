import { describe, expect, it } from 'vitest';
import { createMemoryDestination } from '../test/helpers/memory-destination.js';
import { createLogger } from './create-logger.js';

describe('createLogger options', () => {
  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const)(
    'accepts level %s',
    (level) => {
      const logger = createLogger({ level, destination: createMemoryDestination() });
      expect(logger.level).toBe(level);
    },
  );

  it.each([
    [
      { level: 'loud' },
      'createLogger: level must be one of trace, debug, info, warn, error, fatal, silent (got loud)',
    ],
    [{ service: '' }, 'createLogger: service must be a non-empty string'],
    [{ service: 42 }, 'createLogger: service must be a non-empty string'],
    [{ destination: {} }, 'createLogger: destination must have a write(line) method'],
    [{ destination: null }, 'createLogger: destination must have a write(line) method'],
    [{ redact: 'user.ssn' }, 'createLogger: redact must be an array of non-empty strings'],
    [{ redact: ['user.ssn', ''] }, 'createLogger: redact must be an array of non-empty strings'],
    [{ redactFields: ['pin', 42] }, 'createLogger: redactFields must be an array of non-empty strings'],
    [{ base: 'x' }, 'createLogger: base must be a plain object'],
    [{ base: null }, 'createLogger: base must be a plain object'],
    [{ base: ['a'] }, 'createLogger: base must be a plain object'],
  ])('rejects %o with a TypeError saying why', (options, message) => {
    expect(() => createLogger(options as never)).toThrow(new TypeError(message));
  });

  it('redacts a redactFields name that holds regular-expression characters literally', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination, redactFields: ['card.pin'] });
    logger.info({ 'card.pin': '1234', cardxpin: 'shown' }, 'paid');
    const [line] = destination.lines();
    expect(line).toMatchObject({ 'card.pin': '[Redacted]', cardxpin: 'shown' });
  });

  it('leaves lines without a secret untouched', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    logger.info({ user: 'ann', note: 'password-free' }, 'hello');
    expect(destination.lines()[0]).toMatchObject({ user: 'ann', note: 'password-free', msg: 'hello' });
  });
});
