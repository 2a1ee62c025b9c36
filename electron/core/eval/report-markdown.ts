/** The ROI report as Markdown (for a README, an issue, a wiki): the same numbers and verdict as the HTML. */
import { costComparison, costSentence, money } from '../../shared/eval-cost';
import { lastUserTurn, metricRows, verdict } from '../../shared/eval-verdict';
import type { CostSettings, EvalReport } from '../../shared/types/eval';
import type { ReportMeta } from './report-html';

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
/** Table cells and quotes must stay on one line and not break the table. */
const inline = (s: string, max = 300) => {
  const one = s.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

export const MARKDOWN_EXAMPLES = 20;

export function reportMarkdown(report: EvalReport, meta: ReportMeta, costs: Partial<CostSettings> | null): string {
  const v = verdict(report);
  const o = report.ollama;
  const cost = costComparison(report, costs);
  const costLine = costSentence(cost);
  const lines: string[] = [
    `# Was this fine-tune worth it? ${meta.runName}`,
    '',
    `${meta.runId ? `Run \`${meta.runId}\` · ` : ''}base model \`${meta.model}\` · ${report.objective.toUpperCase()} · ${report.n} held-out rows${meta.dataSource ? ` from the ${meta.dataSource}` : ''} · ${report.device} · generated ${meta.generatedAt} by Hone`,
    '',
    `**${v.headline}**${costLine ? ` ${costLine}` : ''}`,
    '',
    ...v.caveats.map((c) => `> ⚠ ${c}\n`),
    '## Quality',
    '',
    `| Metric | Base | Fine-tuned | Change |${o ? ' Base in Ollama | Fine-tuned in Ollama |' : ''}`,
    `|---|---:|---:|---:|${o ? '---:|---:|' : ''}`,
    ...metricRows(report).map((r) => `| ${r.label} | ${num(r.base)} | ${num(r.tuned)} | ${r.base !== null && r.tuned !== null ? (r.tuned - r.base >= 0 ? '+' : '') + (r.tuned - r.base).toFixed(3) : '—'} |${o ? ` ${num(r.ollamaBase)} | ${num(r.ollamaTuned)} |` : ''}`),
    '',
    '## Speed',
    '',
    `| | Base | Fine-tuned |${o ? ' Base in Ollama | Fine-tuned in Ollama |' : ''}`,
    `|---|---:|---:|${o ? '---:|---:|' : ''}`,
    `| Tokens / s | ${num(report.base.tokens_per_second, 1)} | ${num(report.tuned.tokens_per_second, 1)} |${o ? ` ${num(o.base.tokens_per_second, 1)} | ${num(o.tuned.tokens_per_second, 1)} |` : ''}`,
    `| Seconds / reply | ${num(report.base.latency_s, 2)} | ${num(report.tuned.latency_s, 2)} |${o ? ` ${num(o.base.latency_s, 2)} | ${num(o.tuned.latency_s, 2)} |` : ''}`,
    `| Reply / reference length | ${num(report.base.length_ratio, 2)} | ${num(report.tuned.length_ratio, 2)} |${o ? ` ${num(o.base.length_ratio, 2)} | ${num(o.tuned.length_ratio, 2)} |` : ''}`,
    '',
    `Greedy decoding, at most ${report.settings.max_new_tokens} new tokens per reply, one stream.${o ? ` Ollama ${o.version ?? ''}: \`${o.models.base}\` vs \`${o.models.tuned}\`.` : ''}`,
    '',
    '## Cost per 1M generated tokens',
    '',
    `- Speed: ${cost.tokensPerSecond !== null ? `${cost.tokensPerSecond.toFixed(1)} tokens/s (${cost.speedFrom === 'ollama' ? 'in Ollama' : 'in Hone'})` : '—'}`,
    `- Power: ${cost.watts !== null ? `${cost.watts} W (${cost.wattsFrom})` : (cost.powerNote ?? 'not measured')}`,
    `- Local: ${money(cost.localPer1M, cost.currency)} · hosted API: ${money(cost.hostedPer1M, cost.currency)}`,
    ...(cost.missing.length ? [`- Still needed for a full comparison: ${cost.missing.join(', ')}`] : []),
    '',
    `## Examples${report.examples.length > MARKDOWN_EXAMPLES ? ` (first ${MARKDOWN_EXAMPLES} of ${report.examples.length})` : ''}`,
    '',
    `| # | Prompt | Reference | Base | Fine-tuned |${o ? ' Fine-tuned in Ollama |' : ''}`,
    `|---|---|---|---|---|${o ? '---|' : ''}`,
    ...report.examples.slice(0, MARKDOWN_EXAMPLES).map((ex, i) => `| ${ex.index + 1} | ${inline(lastUserTurn(ex.prompt))} | ${inline(ex.reference)} | ${inline(ex.base)} | ${inline(ex.tuned)} |${o ? ` ${inline(o.examples[i]?.tuned ?? '')} |` : ''}`),
    '',
  ];
  return lines.join('\n');
}
