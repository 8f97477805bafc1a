import type { CheckResult } from '../checks.js';
import type { ScrapeTarget } from './prometheus-config.js';

/** One entry of `activeTargets` in `/api/v1/targets`. */
export interface TargetStatus {
  readonly labels: Readonly<Record<string, string>>;
  readonly health: string;
  /** RFC 3339 time of the last scrape. */
  readonly lastScrape: string;
  readonly lastError?: string;
}

/** One group of `/api/v1/rules?type=alert`. */
export interface RuleGroupStatus {
  readonly name: string;
  /** RFC 3339 time of the group's last evaluation. */
  readonly lastEvaluation: string;
  readonly rules: readonly { readonly name: string }[];
}

/** Successful scrapes (`up == 1`) and all scrapes of one target during the scenario. */
export interface ScrapeCount {
  readonly up: number;
  readonly scrapes: number;
}

/** The key of a target in {@link scrapeCheck}'s counts: `<job> <instance>`. */
export const targetKey = (labels: Readonly<Record<string, string>>): string =>
  `${labels.job} ${labels.instance}`;

/**
 * Every service of the scenario is a target of its job and was scraped successfully during the scenario:
 * without this, "no alert fires" would also hold for a Prometheus that sees nothing. Failed scrapes (a busy
 * machine can make one outlast the 1 s timeout) are shown, not failed on.
 */
export function scrapeCheck(
  expected: readonly ScrapeTarget[],
  targets: readonly TargetStatus[],
  counts: ReadonlyMap<string, ScrapeCount>,
): CheckResult {
  const found = expected.map((target) => {
    const status = targets.find(
      (candidate) => candidate.labels.job === target.job && candidate.labels.instance === target.address,
    );
    return { target, status, count: counts.get(`${target.job} ${target.address}`) ?? { up: 0, scrapes: 0 } };
  });
  const describe = ({ target, status, count }: (typeof found)[number]) =>
    `${target.service} (job ${target.job}) ${
      status === undefined
        ? 'not a target'
        : `up in ${count.up} of ${count.scrapes} scrapes${status.health !== 'up' && status.lastError ? ` (last: ${status.lastError})` : ''}`
    }`;
  return {
    kind: 'alert',
    name: 'Prometheus scraped every service',
    expected: `${expected.length} targets, each scraped`,
    actual:
      expected.length === 0 ? 'no mock-api or consumer in this scenario' : found.map(describe).join('; '),
    passed: expected.length > 0 && found.every(({ status, count }) => status !== undefined && count.up > 0),
  };
}

/** The rule files loaded, with every alert the scenario's expectations name. */
export function rulesCheck(alertNames: readonly string[], groups: readonly RuleGroupStatus[]): CheckResult {
  const defined = new Set(groups.flatMap((group) => group.rules.map((rule) => rule.name)));
  const missing = alertNames.filter((name) => !defined.has(name));
  return {
    kind: 'alert',
    name: 'Prometheus loaded the alerting rules of ops/prometheus/rules',
    expected: alertNames.length > 0 ? `alerting rules, including ${alertNames.join(', ')}` : 'alerting rules',
    actual: `${defined.size} alerting rules in ${groups.length} groups${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}`,
    passed: defined.size > 0 && missing.length === 0,
  };
}

/** Milliseconds of an RFC 3339 time as Prometheus writes it (nanoseconds cut to milliseconds); NaN if invalid. */
export function parseRfc3339(text: string): number {
  return Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
}

/** Where waiting for Prometheus to catch up with the end of the load stands. */
export interface SettleState {
  /** By target (`job instance`): its first scrape seen at or after the moment, epoch ms. */
  readonly scrapedAfter: ReadonlyMap<string, number>;
  /** Every target scraped, and every alerting group evaluated, after the moment. */
  readonly settled: boolean;
}

/**
 * Advances the wait for Prometheus to have seen everything up to `after`: each target scraped at or after it,
 * then every alerting group evaluated after the latest of those scrapes (so the rules saw the last request).
 * Scrapes and evaluations run at offsets of their own within the interval, hence the first scrape after the
 * moment is remembered per target rather than compared with the last one.
 */
export function advanceSettle(
  after: number,
  previous: SettleState | undefined,
  targets: readonly TargetStatus[],
  groups: readonly RuleGroupStatus[],
): SettleState {
  const scrapedAfter = new Map(previous?.scrapedAfter ?? []);
  for (const target of targets) {
    const key = targetKey(target.labels);
    const time = parseRfc3339(target.lastScrape);
    if (!scrapedAfter.has(key) && time >= after) scrapedAfter.set(key, time);
  }
  const allScraped =
    targets.length > 0 && targets.every((target) => scrapedAfter.has(targetKey(target.labels)));
  const latest = Math.max(...scrapedAfter.values());
  const settled =
    allScraped && groups.length > 0 && groups.every((group) => parseRfc3339(group.lastEvaluation) >= latest);
  return { scrapedAfter, settled };
}
