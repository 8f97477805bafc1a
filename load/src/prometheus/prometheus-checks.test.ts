import { describe, expect, it } from 'vitest';
import {
  advanceSettle,
  parseRfc3339,
  type RuleGroupStatus,
  rulesCheck,
  scrapeCheck,
  type TargetStatus,
} from './prometheus-checks.js';
import { scrapeTargets } from './prometheus-config.js';

const targets = scrapeTargets([
  { name: 'mock-api', port: 4001 },
  { name: 'consumer', port: 4003 },
]);

function target(job: string, port: number, lastScrape: string, health = 'up'): TargetStatus {
  return {
    labels: { job, instance: `127.0.0.1:${port}` },
    health,
    lastScrape,
    lastError: health === 'up' ? '' : 'connection refused',
  };
}

function group(name: string, lastEvaluation: string): RuleGroupStatus {
  return { name, lastEvaluation, rules: [{ name: `${name}-alert` }] };
}

describe('parseRfc3339', () => {
  it('reads Prometheus times with nanoseconds to the millisecond', () => {
    expect(parseRfc3339('2026-12-03T07:10:11.123456789Z')).toBe(Date.UTC(2026, 11, 3, 7, 10, 11, 123));
    expect(parseRfc3339('2026-12-03T07:10:11Z')).toBe(Date.UTC(2026, 11, 3, 7, 10, 11));
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toBeLessThan(0);
  });
});

describe('scrapeCheck', () => {
  const counts = (mockApi: [number, number], consumer: [number, number]) =>
    new Map([
      ['mock-api 127.0.0.1:4001', { up: mockApi[0], scrapes: mockApi[1] }],
      ['consumer 127.0.0.1:4003', { up: consumer[0], scrapes: consumer[1] }],
    ]);

  it('passes when every service is a target of its job, scraped successfully, failed scrapes shown', () => {
    expect(
      scrapeCheck(
        targets,
        [target('consumer', 4003, '', 'down'), target('mock-api', 4001, '')],
        counts([25, 25], [24, 25]),
      ),
    ).toEqual({
      kind: 'alert',
      name: 'Prometheus scraped every service',
      expected: '2 targets, each scraped',
      actual:
        'mock-api (job mock-api) up in 25 of 25 scrapes; consumer (job consumer) up in 24 of 25 scrapes (last: connection refused)',
      passed: true,
    });
  });

  it('fails when one was never scraped successfully, is missing or under another job, or nothing is scraped', () => {
    expect(
      scrapeCheck(
        targets,
        [target('mock-api', 4001, ''), target('consumer', 4003, '', 'down')],
        counts([3, 3], [0, 3]),
      ),
    ).toMatchObject({
      passed: false,
      actual:
        'mock-api (job mock-api) up in 3 of 3 scrapes; consumer (job consumer) up in 0 of 3 scrapes (last: connection refused)',
    });
    expect(
      scrapeCheck(targets, [target('mock-api', 4001, ''), target('other', 4003, '')], counts([3, 3], [3, 3])),
    ).toMatchObject({
      passed: false,
      actual: 'mock-api (job mock-api) up in 3 of 3 scrapes; consumer (job consumer) not a target',
    });
    expect(
      scrapeCheck(targets, [target('mock-api', 4001, ''), target('consumer', 4003, '')], new Map()).passed,
    ).toBe(false);
    expect(scrapeCheck([], [], new Map()).passed).toBe(false);
  });
});

describe('rulesCheck', () => {
  it('needs alerting rules, with every alert the expectations name', () => {
    const groups = [
      group('a', ''),
      { name: 'b', lastEvaluation: '', rules: [{ name: 'CircuitBreakerOpen' }] },
    ];
    expect(rulesCheck(['CircuitBreakerOpen'], groups)).toEqual({
      kind: 'alert',
      name: 'Prometheus loaded the alerting rules of ops/prometheus/rules',
      expected: 'alerting rules, including CircuitBreakerOpen',
      actual: '2 alerting rules in 2 groups',
      passed: true,
    });
    expect(rulesCheck(['RateLimitRejectionsHigh'], groups)).toMatchObject({
      passed: false,
      actual: '2 alerting rules in 2 groups; missing RateLimitRejectionsHigh',
    });
    expect(rulesCheck([], []).passed).toBe(false);
  });
});

describe('advanceSettle', () => {
  const after = Date.UTC(2026, 11, 3, 7, 0, 10, 0);
  const at = (ms: number) => new Date(after + ms).toISOString();

  it('waits for a scrape of every target after the moment, then for every group evaluated after those scrapes', () => {
    // Scrapes at offsets .2 and .6 of each second, groups at .4 and .8: the last scrape is always after one
    // group's last evaluation, so only the first scrape after the moment can be compared.
    let state = advanceSettle(
      after,
      undefined,
      [target('mock-api', 4001, at(-800)), target('consumer', 4003, at(-400))],
      [group('a', at(-600)), group('b', at(-200))],
    );
    expect(state.settled).toBe(false);
    state = advanceSettle(
      after,
      state,
      [target('mock-api', 4001, at(200)), target('consumer', 4003, at(-400))],
      [group('a', at(-600)), group('b', at(-200))],
    );
    expect(state.settled).toBe(false);
    state = advanceSettle(
      after,
      state,
      [target('mock-api', 4001, at(200)), target('consumer', 4003, at(600))],
      [group('a', at(400)), group('b', at(-200))],
    );
    expect(state).toEqual({
      scrapedAfter: new Map([
        ['mock-api 127.0.0.1:4001', after + 200],
        ['consumer 127.0.0.1:4003', after + 600],
      ]),
      settled: false,
    });
    state = advanceSettle(
      after,
      state,
      [target('mock-api', 4001, at(1200)), target('consumer', 4003, at(600))],
      [group('a', at(1400)), group('b', at(800))],
    );
    expect(state.settled).toBe(true);
  });

  it('never settles without targets or groups', () => {
    expect(advanceSettle(after, undefined, [], [group('a', at(1000))]).settled).toBe(false);
    expect(advanceSettle(after, undefined, [target('mock-api', 4001, at(100))], []).settled).toBe(false);
  });
});
