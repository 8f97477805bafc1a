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
    });
  });

  it('takes --smoke, names and a report directory, ignoring a bare --', () => {
    expect(parseCliOptions(['--', '--smoke', 'spike', '--report-dir', '/tmp/r', 'spike'], known)).toEqual({
      mode: 'smoke',
      names: ['spike'],
      list: false,
      help: false,
      reportDir: '/tmp/r',
    });
  });

  it('refuses unknown scenarios and options', () => {
    expect(() => parseCliOptions(['baseline', 'nope'], known)).toThrow(CliUsageError);
    expect(() => parseCliOptions(['--fast'], known)).toThrow(/unknown option --fast/);
    expect(() => parseCliOptions(['--report-dir'], known)).toThrow(/needs a directory/);
  });
});
