/**
 * The ROI report as one self-contained HTML file: no script, no external file, inline CSS and an inline
 * SVG bar chart, so it opens anywhere and can be mailed. Every number is the stored report's (also in a
 * data-value attribute, unrounded), with the verdict and cost from the same shared functions the run
 * page uses.
 */
import { costComparison, costSentence, money } from '../../shared/eval-cost';
import { replyDiff } from '../../shared/eval-diff';
import { lastUserTurn, metricRows, share, verdict, type MetricRow } from '../../shared/eval-verdict';
import type { CostSettings, EvalReport, EvalScores } from '../../shared/types/eval';

export interface ReportMeta {
  runId: string | null;
  runName: string;
  model: string;
  generatedAt: string;
  dataSource: string | null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const cell = (key: string, v: number | null | undefined, digits = 3) => `<td class="n" data-metric="${esc(key)}" data-value="${v ?? ''}">${num(v, digits)}</td>`;

const COLORS = { base: '#868e96', tuned: '#3b5bdb', ollamaBase: '#c0c5ca', ollamaTuned: '#74c0fc' };

function chart(rows: MetricRow[], withOllama: boolean): string {
  const series: { key: keyof typeof COLORS; label: string }[] = [
    { key: 'base', label: 'Base' },
    { key: 'tuned', label: 'Fine-tuned' },
    ...(withOllama ? ([{ key: 'ollamaBase', label: 'Base in Ollama' }, { key: 'ollamaTuned', label: 'Fine-tuned in Ollama' }] as const) : []),
  ];
  const barW = 18;
  const groupW = series.length * barW + 28;
  const h = 180;
  const left = 36;
  const width = left + rows.length * groupW + 10;
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const y = 10 + (1 - t) * h;
    parts.push(`<line x1="${left}" x2="${width}" y1="${y}" y2="${y}" stroke="#dde1e8"/><text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${t}</text>`);
  }
  rows.forEach((r, i) => {
    const x0 = left + i * groupW + 14;
    series.forEach((s, j) => {
      const v = r[s.key] ?? null;
      if (v === null) return;
      const bh = Math.max(0, Math.min(1, v)) * h;
      parts.push(`<rect x="${x0 + j * barW}" y="${10 + h - bh}" width="${barW - 3}" height="${bh}" fill="${COLORS[s.key]}"><title>${esc(`${s.label} ${r.label}: ${num(v)}`)}</title></rect>`);
    });
    parts.push(`<text x="${x0 + (series.length * barW) / 2}" y="${h + 26}" text-anchor="middle" font-size="11">${esc(r.label)}</text>`);
  });
  const legend = series.map((s) => `<span><i style="background:${COLORS[s.key]}"></i>${s.label}</span>`).join('');
  return `<svg role="img" aria-label="Base vs fine-tuned per metric" width="${width}" height="${h + 36}" viewBox="0 0 ${width} ${h + 36}">${parts.join('')}</svg><div class="legend">${legend}</div>`;
}

function highlighted(reference: string, reply: string): string {
  return replyDiff(reference, reply).map((p) => (p.same ? esc(p.text) : `<mark>${esc(p.text)}</mark>`)).join('') || '<em>(empty)</em>';
}

const rowScore = (s: EvalScores) => `ROUGE-L ${s.rouge_l.toFixed(2)} · chrF ${s.chrf.toFixed(2)}${s.json_valid === null ? '' : s.json_valid ? ' · JSON ✓' : ' · JSON ✗'}`;

export function reportHtml(report: EvalReport, meta: ReportMeta, costs: Partial<CostSettings> | null): string {
  const v = verdict(report);
  const rows = metricRows(report);
  const o = report.ollama;
  const cost = costComparison(report, costs);
  const costLine = costSentence(cost);
  const metricTable = rows
    .map((r) => `<tr><th scope="row" title="${esc(r.help)}">${esc(r.label)}</th>${cell(`base.${r.key}`, r.base)}${cell(`tuned.${r.key}`, r.tuned)}<td class="n">${r.base !== null && r.tuned !== null ? (r.tuned - r.base >= 0 ? '+' : '') + (r.tuned - r.base).toFixed(3) : '—'}</td>${o ? cell(`ollama.base.${r.key}`, r.ollamaBase) + cell(`ollama.tuned.${r.key}`, r.ollamaTuned) : ''}</tr>`)
    .join('');
  const speed = [
    `<tr><th scope="row">Tokens / s</th>${cell('base.tokens_per_second', report.base.tokens_per_second, 1)}${cell('tuned.tokens_per_second', report.tuned.tokens_per_second, 1)}${o ? cell('ollama.base.tokens_per_second', o.base.tokens_per_second, 1) + cell('ollama.tuned.tokens_per_second', o.tuned.tokens_per_second, 1) : ''}</tr>`,
    `<tr><th scope="row">Seconds / reply</th>${cell('base.latency_s', report.base.latency_s, 2)}${cell('tuned.latency_s', report.tuned.latency_s, 2)}${o ? cell('ollama.base.latency_s', o.base.latency_s, 2) + cell('ollama.tuned.latency_s', o.tuned.latency_s, 2) : ''}</tr>`,
    `<tr><th scope="row">Reply / reference length</th>${cell('base.length_ratio', report.base.length_ratio, 2)}${cell('tuned.length_ratio', report.tuned.length_ratio, 2)}${o ? cell('ollama.base.length_ratio', o.base.length_ratio, 2) + cell('ollama.tuned.length_ratio', o.tuned.length_ratio, 2) : ''}</tr>`,
  ].join('');
  const examples = report.examples
    .map((ex, i) => {
      const ol = o?.examples[i];
      return `<tr><td>${ex.index + 1}</td><td><details><summary>${esc(lastUserTurn(ex.prompt))}</summary>${ex.prompt.map((m) => `<p><b>${esc(m.role)}</b>: ${esc(m.content)}</p>`).join('')}</details></td><td class="text">${esc(ex.reference)}</td><td class="text">${highlighted(ex.reference, ex.base)}<div class="s">${rowScore(ex.scores.base)}</div></td><td class="text">${highlighted(ex.reference, ex.tuned)}<div class="s">${rowScore(ex.scores.tuned)}</div></td>${ol ? `<td class="text">${highlighted(ex.reference, ol.tuned)}<div class="s">${rowScore(ol.scores.tuned)}</div></td>` : ''}</tr>`;
    })
    .join('');
  const power = (label: string, p: EvalReport['power']) => (p ? `<li>${label}: ${p.watts !== null ? `${p.watts} W (${p.samples} samples${p.gpu ? `, ${esc(p.gpu)}` : ''})` : esc(p.reason ?? 'not measured')}</li>` : '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Hone"><title>Fine-tune report: ${esc(meta.runName)}</title>
<style>
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1c2330;max-width:1200px;margin:24px auto;padding:0 16px;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}.muted{color:#5d6778}
.verdict{font-size:17px;padding:12px 16px;border-radius:8px;border:1px solid #dde1e8}
.verdict.better{background:#ebfbee;border-color:#8ce99a}.verdict.worse{background:#fff5f5;border-color:#ffa8a8}.verdict.same,.verdict.none,.verdict.inconclusive{background:#f8f9fa}
.warn{background:#fff9db;border:1px solid #ffe066;padding:8px 12px;border-radius:8px;margin-top:8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #dde1e8;font-size:14px;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.text{white-space:pre-wrap;max-width:320px}
mark{background:#ffe3e3;color:inherit}.s{color:#5d6778;font-size:12px;margin-top:4px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
</style></head><body>
<h1>Was this fine-tune worth it?</h1>
<p class="muted">${esc(meta.runName)}${meta.runId ? ` (${esc(meta.runId)})` : ''} · base model ${esc(meta.model)} · ${report.objective.toUpperCase()} · ${report.n} held-out row${report.n === 1 ? '' : 's'}${meta.dataSource ? ` from the ${esc(meta.dataSource)}` : ''} · ${esc(report.device)} · generated ${esc(meta.generatedAt)} by Hone</p>
<p class="verdict ${v.kind}" data-verdict="${v.kind}">${esc(v.headline)}${costLine ? ` ${esc(costLine)}` : ''}</p>
${v.caveats.map((c) => `<p class="warn">${esc(c)}</p>`).join('')}
<h2>Quality, base vs fine-tuned</h2>
${chart(rows, !!o)}
<table><thead><tr><th>Metric</th><th>Base</th><th>Fine-tuned</th><th>Change</th>${o ? '<th>Base in Ollama</th><th>Fine-tuned in Ollama</th>' : ''}</tr></thead><tbody>${metricTable}</tbody></table>
<h2>Speed</h2>
<table><thead><tr><th></th><th>Base</th><th>Fine-tuned</th>${o ? '<th>Base in Ollama</th><th>Fine-tuned in Ollama</th>' : ''}</tr></thead><tbody>${speed}</tbody></table>
<ul class="muted">${power('GPU power while Hone generated', report.power)}${o ? power('GPU power while Ollama generated', o.power) : ''}${o ? `<li>Ollama ${esc(o.version ?? '')} at ${esc(o.host)}: ${esc(o.models.base)} vs ${esc(o.models.tuned)}; agreement with Hone's replies (chrF) ${num(o.agreement)}</li>` : ''}<li>Greedy decoding, at most ${report.settings.max_new_tokens} new tokens per reply; one stream (batched serving is faster).</li></ul>
<h2>Cost per 1M generated tokens</h2>
<table><tbody>
<tr><th scope="row">Speed used</th><td>${cost.tokensPerSecond !== null ? `${cost.tokensPerSecond.toFixed(1)} tokens/s (${cost.speedFrom === 'ollama' ? 'fine-tuned model in Ollama' : 'fine-tuned model in Hone'})` : '—'}</td></tr>
<tr><th scope="row">Power</th><td>${cost.watts !== null ? `${cost.watts} W (${cost.wattsFrom})` : esc(cost.powerNote ?? 'not measured')}</td></tr>
<tr><th scope="row">Energy</th><td>${cost.kwhPer1M !== null ? `${cost.kwhPer1M.toFixed(3)} kWh` : '—'}</td></tr>
<tr><th scope="row">Local</th><td data-value="${cost.localPer1M ?? ''}">${money(cost.localPer1M, cost.currency)}</td></tr>
<tr><th scope="row">Hosted API</th><td data-value="${cost.hostedPer1M ?? ''}">${money(cost.hostedPer1M, cost.currency)}</td></tr>
</tbody></table>
${cost.missing.length ? `<p class="muted">For a full comparison, enter ${esc(cost.missing.join(', '))} in Hone.</p>` : ''}
<h2>Examples</h2>
<p class="muted">Highlighted: the parts of each reply that are not in the reference.</p>
<table><thead><tr><th>#</th><th>Prompt</th><th>Reference</th><th>Base</th><th>Fine-tuned</th>${o ? '<th>Fine-tuned in Ollama</th>' : ''}</tr></thead><tbody>${examples}</tbody></table>
<p class="muted">Scores: ROUGE-L F1 (rouge-score) and chrF (sacrebleu, scaled to 0–1), exact match after whitespace normalisation, JSON validity and keys where the references are JSON${report.objective === 'dpo' ? ', preference accuracy from log-probability margins' : ''}. ${share(v.gain, 3)} mean change on ${v.headlineMetrics.join(', ')}.</p>
</body></html>
`;
}
