import type { TrafficStats } from '../traffic-stats.js';

export function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 10) / 10}`;
}

export function percent(value: number | undefined): string {
  if (value === undefined) return '-';
  const pct = value * 100;
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(pct >= 99 ? 2 : 1)} %`;
}

export function seconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(1)} s`;
}

/** `200: 120, 503: 3, ETIMEDOUT: 1` */
export function statusSummary(stats: TrafficStats): string {
  const parts = [
    ...Object.entries(stats.statusCounts).sort(([a], [b]) => a.localeCompare(b)),
    ...Object.entries(stats.errorCounts).sort(([a], [b]) => a.localeCompare(b)),
  ].map(([code, count]) => `${code}: ${count}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}
