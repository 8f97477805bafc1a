/** One sample of a Prometheus text exposition: `name{label="value",...} 12`. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

/**
 * A sample's value, or `undefined` when the text is not a number. `NaN` and `Inf` are read in any case, as
 * Prometheus reads them (prom-client writes an unset gauge, such as the event-loop lag before its first sample,
 * as `Nan`).
 */
function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Reads the samples of a Prometheus text exposition (what `GET /metrics` answers). Comments (`# HELP`,
 * `# TYPE`) and blank lines are skipped; a line that is not a sample throws a `TypeError` naming it, so a
 * changed format fails the check that reads it instead of counting nothing.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    const value = match === null ? undefined : parseValue(match[3] ?? '');
    if (match === null || value === undefined) {
      throw new TypeError(`not a Prometheus sample: ${line.slice(0, 200)}`);
    }
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL))
      labels[label[1] ?? ''] = unescapeLabel(label[2] ?? '');
    samples.push({ name: match[1] ?? '', labels, value });
  }
  return samples;
}

/** Which samples count: by their labels. @default every sample */
export type LabelFilter = (labels: Readonly<Record<string, string>>) => boolean;

/** The sum of every sample named `name` whose labels pass `filter`; 0 when there is none. */
export function sumSamples(
  samples: readonly PrometheusSample[],
  name: string,
  filter: LabelFilter = () => true,
): number {
  let sum = 0;
  for (const sample of samples) if (sample.name === name && filter(sample.labels)) sum += sample.value;
  return sum;
}

/** How many observations of a histogram were above one bucket bound, over every series `filter` accepts. */
export interface HistogramTail {
  /** Observations in every accepted series (`_count`). */
  readonly count: number;
  /** The bucket bound used: the `le` given, which must exist in every accepted series. */
  readonly le: number;
  /** Observations above `le` (`_count` minus the `le` bucket). */
  readonly above: number;
}

/**
 * Counts the observations of histogram `name` (its `_bucket` and `_count` samples) above the bucket `le`, summed
 * over the series whose labels pass `filter`. Throws a `TypeError` when an accepted series has no bucket at `le`:
 * the histogram's buckets changed, and the count above an absent bound would be a guess.
 */
export function histogramTail(
  samples: readonly PrometheusSample[],
  name: string,
  le: number,
  filter: LabelFilter = () => true,
): HistogramTail {
  const seriesKey = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([label]) => label !== 'le')
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const counts = new Map<string, number>();
  const atBound = new Map<string, number>();
  for (const sample of samples) {
    if (!filter(sample.labels)) continue;
    if (sample.name === `${name}_count`) counts.set(seriesKey(sample.labels), sample.value);
    else if (sample.name === `${name}_bucket` && parseValue(sample.labels.le ?? '') === le) {
      atBound.set(seriesKey(sample.labels), sample.value);
    }
  }
  let count = 0;
  let above = 0;
  for (const [key, seriesCount] of counts) {
    const within = atBound.get(key);
    if (within === undefined) throw new TypeError(`${name}: no bucket le="${le}" in series ${key}`);
    count += seriesCount;
    above += seriesCount - within;
  }
  return { count, le, above };
}

/**
 * The smallest finite bucket bound (`le`) of histogram `name` that is at least `atLeast`; `undefined` when the
 * histogram has no such bucket (or no samples at all).
 */
export function firstBucketBound(
  samples: readonly PrometheusSample[],
  name: string,
  atLeast: number,
): number | undefined {
  let best: number | undefined;
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket`) continue;
    const le = parseValue(sample.labels.le ?? '');
    if (le !== undefined && Number.isFinite(le) && le >= atLeast && (best === undefined || le < best))
      best = le;
  }
  return best;
}
