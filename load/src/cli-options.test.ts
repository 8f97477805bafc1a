import { describe, expect, it } from 'vitest';
import { parseCliOptions } from './cli-options.js';
import { CliUsageError } from './errors/cli-usage-error.js';

const known = ['baseline', 'spike'];

describe('parseCliOptions', () => {
  it('runs every scenario in full by default', () => {
    expect(parseCliOptions([], known)).toEqual({
      mode: 'full',
      names: [],
      list: false,
      help: false,
      reportDir: undefined,
      prometheus: true,
    });
  });

  it('takes --smoke, names and a report directory, ignoring a bare --', () => {
    expect(parseCliOptions(['--', '--smoke', 'spike', '--report-dir', '/tmp/r', 'spike'], known)).toEqual({
      mode: 'smoke',
      names: ['spike'],
      list: false,
      help: false,
      reportDir: '/tmp/r',
      prometheus: false,
    });
  });

  it('starts Prometheus by default only in the full run of every scenario; --[no-]prometheus decides', () => {
    expect(parseCliOptions(['--smoke'], known).prometheus).toBe(false);
    expect(parseCliOptions(['baseline'], known).prometheus).toBe(false);
    expect(parseCliOptions(['--no-prometheus'], known).prometheus).toBe(false);
    expect(parseCliOptions(['--smoke', '--prometheus'], known).prometheus).toBe(true);
    expect(parseCliOptions(['baseline', '--prometheus'], known).prometheus).toBe(true);
    // The last one wins.
    expect(parseCliOptions(['--prometheus', '--no-prometheus'], known).prometheus).toBe(false);
  });

  it('refuses unknown scenarios and options', () => {
    expect(() => parseCliOptions(['baseline', 'nope'], known)).toThrow(CliUsageError);
    expect(() => parseCliOptions(['--fast'], known)).toThrow(/unknown option --fast/);
    expect(() => parseCliOptions(['--report-dir'], known)).toThrow(/needs a directory/);
  });
});
