import { describe, expect, it, vi } from 'vitest';
import { envNumber, markdownTable, median, parseWrkOutput } from './harness.js';

const WRK_OUTPUT = `Running 8s test @ http://127.0.0.1:40001/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.10ms    1.02ms  30.11ms   91.00%
    Req/Sec    12.20k   500.00    13.00k    70.00%
  Latency Distribution
     50%    3.90ms
     75%    4.20ms
     90%    4.80ms
     99%  850.00us
  97153 requests in 8.00s, 20.11MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  12144.08
Transfer/sec:      2.51MB
`;

describe('parseWrkOutput', () => {
  it('reads requests, req/s, percentiles in any unit, non-2xx and socket errors', () => {
    const r = parseWrkOutput(WRK_OUTPUT, 8);
    expect(r.requests).toBe(97153);
    expect(r.rps).toBeCloseTo(12144.08);
    expect(r.p50Ms).toBeCloseTo(3.9);
    expect(r.p99Ms).toBeCloseTo(0.85);
    expect(r.non2xx).toBe(7);
    expect(r.errors).toBe(3);
  });

  it('refuses output it cannot read rather than reporting zeros', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused', 8)).toThrow(
      /could not parse/,
    );
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('markdownTable', () => {
  it('renders a header, a separator and one line per row', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x']])).toBe('| a | b |\n| --- | --- |\n| 1 | x |');
  });
});

describe('envNumber', () => {
  it('reads a positive number, falls back when unset, and names the variable when it is wrong', () => {
    vi.stubEnv('BENCH_TEST_VALUE', '2.5');
    expect(envNumber('BENCH_TEST_VALUE', 7)).toBe(2.5);
    expect(() => envNumber('BENCH_TEST_VALUE', 7, { integer: true })).toThrow(
      /BENCH_TEST_VALUE must be a positive integer/,
    );
    vi.stubEnv('BENCH_TEST_VALUE', '-1');
    expect(() => envNumber('BENCH_TEST_VALUE', 7)).toThrow(
      /BENCH_TEST_VALUE must be a positive number \(got -1\)/,
    );
    vi.stubEnv('BENCH_TEST_VALUE', '');
    expect(envNumber('BENCH_TEST_VALUE', 7)).toBe(7);
  });
});
