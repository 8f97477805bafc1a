import { describe, expect, it } from 'vitest';
import type { ScenarioDefinition } from './scenario-definition.js';
import { selectScenarios } from './scenario-selection.js';

const scenario = (name: string, notInSmokeSet?: string): ScenarioDefinition =>
  ({ name, ...(notInSmokeSet === undefined ? {} : { notInSmokeSet }) }) as unknown as ScenarioDefinition;
const all = [
  scenario('baseline'),
  scenario('overload', 'rejections slower than 10 ms on 2 cores'),
  scenario('spike'),
];
const names = (list: readonly ScenarioDefinition[]): string[] => list.map((s) => s.name);

describe('selectScenarios', () => {
  it('takes every scenario in the full run', () => {
    const { selected, leftOut } = selectScenarios(all, { mode: 'full', names: [] });
    expect(names(selected)).toEqual(['baseline', 'overload', 'spike']);
    expect(leftOut).toEqual([]);
  });

  it('leaves the scenarios marked notInSmokeSet out of the smoke set, with their reason', () => {
    const { selected, leftOut } = selectScenarios(all, { mode: 'smoke', names: [] });
    expect(names(selected)).toEqual(['baseline', 'spike']);
    expect(leftOut).toEqual([{ name: 'overload', reason: 'rejections slower than 10 ms on 2 cores' }]);
  });

  it('runs a named scenario in either mode, marked or not, in the definitions order', () => {
    for (const mode of ['smoke', 'full'] as const) {
      const { selected, leftOut } = selectScenarios(all, { mode, names: ['spike', 'overload'] });
      expect(names(selected)).toEqual(['overload', 'spike']);
      expect(leftOut).toEqual([]);
    }
  });
});
