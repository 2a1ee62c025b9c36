import type { DatasetChoice } from '../../stores/wizard';
import type { DatasetTokenStats } from '../../../../electron/shared/types/plan';

/** The token statistics the planner fits max_seq_length to, from the dataset chosen (imported or checked). */
export function datasetStatsOf(dataset: DatasetChoice | null): DatasetTokenStats | null {
  const report = dataset?.imported?.report ?? dataset?.report ?? null;
  if (!report) return null;
  const { rows, meanTokens, p95Tokens, maxTokens } = report.stats;
  return { rows, meanTokens, p95Tokens, maxTokens };
}
