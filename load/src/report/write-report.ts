import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario-result.js';
import { renderScenarioChart } from './chart.js';
import { type RunInfo, renderMarkdown } from './markdown.js';

/** Renders the scenario's chart to `<reportDir>/<name>/chart.svg`; returns the result with the chart's path. */
export async function writeScenarioChart(result: ScenarioResult, reportDir: string): Promise<ScenarioResult> {
  if (result.timeline.length === 0) return result;
  const relativePath = join(result.name, 'chart.svg');
  await writeFile(join(reportDir, relativePath), await renderScenarioChart(result));
  return { ...result, files: { ...result.files, chart: relativePath } };
}

/** Writes `summary.md` and `summary.json` for the scenarios run so far. */
export async function writeSummary(
  reportDir: string,
  info: RunInfo,
  results: readonly ScenarioResult[],
): Promise<void> {
  await writeFile(join(reportDir, 'summary.md'), renderMarkdown(info, results));
  await writeFile(join(reportDir, 'summary.json'), `${JSON.stringify({ info, results }, null, 2)}\n`);
}
