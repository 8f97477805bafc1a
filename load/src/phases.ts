import type { RequestRecord, SessionRecord } from './request-log.js';

/** An Artillery phase as the runner saw it start. */
export interface PhaseWindow {
  readonly index: number;
  readonly name: string;
  /** Planned duration from the scenario, in seconds. */
  readonly durationSec: number;
  /** When Artillery reported the phase started, epoch ms. */
  readonly start: number;
  /** When the next phase started, or the end of the run for the last phase, epoch ms. */
  readonly end: number;
  /** `start` + the planned duration (before `end` for the last phase, whose users may still be finishing). */
  readonly plannedEnd: number;
}

/**
 * Builds phase windows from the phase-start times. The last phase lasts until `runEnd`, so the requests
 * of virtual users still finishing after the last arrival belong to it.
 */
export function toPhaseWindows(
  starts: readonly {
    readonly index: number;
    readonly name: string;
    readonly durationSec: number;
    readonly at: number;
  }[],
  runEnd: number,
): PhaseWindow[] {
  const ordered = [...starts].sort((a, b) => a.index - b.index);
  return ordered.map((phase, position) => ({
    index: phase.index,
    name: phase.name,
    durationSec: phase.durationSec,
    start: phase.at,
    end: ordered[position + 1]?.at ?? Math.max(runEnd, phase.at),
    plannedEnd: phase.at + phase.durationSec * 1000,
  }));
}

/** The phase a moment belongs to: the last phase started at or before it (the first phase for earlier moments). */
export function phaseAt(phases: readonly PhaseWindow[], at: number): PhaseWindow | undefined {
  let found = phases[0];
  for (const phase of phases) {
    if (phase.start <= at) found = phase;
    else break;
  }
  return found;
}

/** Splits requests by the phase their start time falls in. */
export function requestsByPhase(
  phases: readonly PhaseWindow[],
  requests: readonly RequestRecord[],
): Map<string, RequestRecord[]> {
  const grouped = new Map<string, RequestRecord[]>(phases.map((phase) => [phase.name, []]));
  for (const request of requests) {
    const phase = phaseAt(phases, request.t);
    if (phase !== undefined) grouped.get(phase.name)?.push(request);
  }
  return grouped;
}

export interface Concurrency {
  /** Time-weighted mean of virtual users in a session. */
  readonly mean: number;
  readonly max: number;
}

/** Virtual users in a session over [from, to), from their start and end records. */
export function measureConcurrency(
  sessions: readonly SessionRecord[],
  from: number,
  to: number,
): Concurrency {
  if (to <= from) return { mean: 0, max: 0 };
  let active = 0;
  const seen = new Set<string>();
  let index = 0;
  // Sessions that started before the window.
  while (index < sessions.length && (sessions[index]?.t ?? Number.POSITIVE_INFINITY) <= from) {
    const record = sessions[index];
    index += 1;
    if (record === undefined) continue;
    if (record.event === 'start') {
      seen.add(record.vu);
      active += 1;
    } else if (seen.delete(record.vu)) {
      active -= 1;
    }
  }
  let max = active;
  let weighted = 0;
  let cursor = from;
  for (; index < sessions.length; index += 1) {
    const record = sessions[index];
    if (record === undefined || record.t >= to) break;
    weighted += active * (record.t - cursor);
    cursor = record.t;
    if (record.event === 'start') {
      seen.add(record.vu);
      active += 1;
    } else if (seen.delete(record.vu)) {
      active -= 1;
    }
    max = Math.max(max, active);
  }
  weighted += active * (to - cursor);
  return { mean: weighted / (to - from), max };
}
