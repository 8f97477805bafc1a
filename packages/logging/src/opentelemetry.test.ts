import { describe, expect, it, vi } from 'vitest';
import { createActiveSpanReader } from './opentelemetry.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function fakeApi(spanContext: unknown) {
  return { context: { active: () => 'ctx' }, trace: { getSpanContext: () => spanContext } };
}

describe('createActiveSpanReader', () => {
  it('loads the API on the first read, not before, and only once', () => {
    const load = vi.fn(() => fakeApi(undefined));
    const read = createActiveSpanReader(load);
    expect(load).not.toHaveBeenCalled();
    read();
    read();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers undefined, without throwing, when the package is not installed', () => {
    const load = vi.fn(() => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    });
    const read = createActiveSpanReader(load);
    expect(read()).toBeUndefined();
    expect(read()).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers undefined when the module loaded is not the API', () => {
    expect(createActiveSpanReader(() => ({ trace: {} }))()).toBeUndefined();
    expect(createActiveSpanReader(() => null)()).toBeUndefined();
  });

  it("reads the active span's ids, flags and serialized trace state", () => {
    const read = createActiveSpanReader(() =>
      fakeApi({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        traceFlags: 1,
        traceState: { serialize: () => 'rojo=1' },
      }),
    );
    expect(read()).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      tracestate: 'rojo=1',
      source: 'opentelemetry',
    });
  });

  it('leaves an empty trace state out', () => {
    const read = createActiveSpanReader(() =>
      fakeApi({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, traceState: { serialize: () => '' } }),
    );
    expect(read()?.tracestate).toBeUndefined();
  });

  it('counts an invalid span context (all-zero ids) as no active span', () => {
    const read = createActiveSpanReader(() =>
      fakeApi({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }),
    );
    expect(read()).toBeUndefined();
  });
});
