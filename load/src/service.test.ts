import { describe, expect, it } from 'vitest';
import { parseListeningLine } from './service.js';

describe('parseListeningLine', () => {
  it('reads the port of the listening line', () => {
    expect(parseListeningLine('{"level":"info","port":45681,"host":"127.0.0.1","msg":"listening"}')).toBe(
      45681,
    );
  });

  it('ignores other lines', () => {
    expect(parseListeningLine('{"level":"info","msg":"mock-api started","port":3}')).toBeUndefined();
    expect(parseListeningLine('listening on 3000')).toBeUndefined();
    expect(parseListeningLine('{"msg":"listening","port":0}')).toBeUndefined();
  });
});
