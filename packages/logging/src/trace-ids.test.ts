import { describe, expect, it } from 'vitest';
import { generateSpanId, generateTraceId } from './trace-ids.js';
import { isValidSpanId, isValidTraceId } from './traceparent.js';

describe('generateTraceId / generateSpanId', () => {
  it('makes 32 and 16 lowercase hex characters that are valid ids', () => {
    const traceId = generateTraceId();
    const spanId = generateSpanId();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(isValidTraceId(traceId)).toBe(true);
    expect(isValidSpanId(spanId)).toBe(true);
  });

  it('never repeats over several refills of the random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      ids.add(generateTraceId());
      ids.add(generateSpanId());
    }
    expect(ids.size).toBe(4000);
  });
});
