import type { RunMode, ScenarioDefinition } from './scenario-definition.js';

/** The scenarios a run takes, and those `--smoke` leaves out (each with the reason its definition gives). */
export interface ScenarioSelection {
  readonly selected: readonly ScenarioDefinition[];
  readonly leftOut: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * Named scenarios run whatever the mode. With no names, the full run takes every scenario and the smoke run every
 * scenario but those whose definition says `notInSmokeSet` (a scenario whose thresholds do not hold yet on the
 * machines CI runs on: it stays in `pnpm load` and can be run by name with `--smoke`).
 */
export function selectScenarios(
  scenarios: readonly ScenarioDefinition[],
  options: { readonly mode: RunMode; readonly names: readonly string[] },
): ScenarioSelection {
  if (options.names.length > 0) {
    return { selected: scenarios.filter((scenario) => options.names.includes(scenario.name)), leftOut: [] };
  }
  if (options.mode === 'full') return { selected: scenarios, leftOut: [] };
  const selected: ScenarioDefinition[] = [];
  const leftOut: { name: string; reason: string }[] = [];
  for (const scenario of scenarios) {
    if (scenario.notInSmokeSet === undefined) selected.push(scenario);
    else leftOut.push({ name: scenario.name, reason: scenario.notInSmokeSet });
  }
  return { selected, leftOut };
}
