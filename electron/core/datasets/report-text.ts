/** The human-readable report of `hone data check` (and import); here, not in cli/commands/, where every file is a verb. */
import type { DatasetReport } from '../../shared/types/dataset';

const num = (n: number) => n.toLocaleString('en-US');

function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function formatReport(r: DatasetReport, shown: string): string {
  const d = r.detection;
  const s = r.stats;
  const lines = [`${shown}: ${r.fileType.toUpperCase()}, ${size(r.sizeBytes)}`];
  const alt = d.alternatives.length ? `; also possible: ${d.alternatives.map((a) => `${a.format} ${Math.round(a.confidence * 100)}%`).join(', ')}` : '';
  lines.push(`Format: ${d.format} (${Math.round(d.confidence * 100)}% of the sampled rows match${alt})`);
  const mapped = Object.entries(d.mapping).filter(([f, c]) => f !== c);
  if (mapped.length) lines.push(`Columns: ${mapped.map(([f, c]) => `${c} -> ${f}`).join(', ')}`);
  lines.push(`Rows: ${num(r.rowsRead)} read, ${num(r.goodRows)} good, ${num(r.badRows)} bad, ${num(r.warnings)} warnings`);
  if (s.rows) {
    const counter = s.tokenCounter === 'tokenizer' ? "the model's tokenizer" : 'an estimate of 3.5 characters a token';
    lines.push(`Tokens (${counter}): ${num(s.totalTokens)} in all, mean ${num(s.meanTokens)}, p95 ${num(s.p95Tokens)}, max ${num(s.maxTokens)}`);
    if (s.maxSeqLength !== null) lines.push(`Longer than ${num(s.maxSeqLength)} tokens (will be truncated): ${num(s.truncated)} rows`);
  }
  const counts = Object.entries(r.issueCounts);
  if (counts.length) {
    lines.push('', `Problems (${counts.map(([c, n]) => `${c} ${num(n)}`).join(', ')}):`);
    for (const i of r.issues) {
      lines.push(`  ${r.locator} ${i.line}${i.field ? ` [${i.field}]` : ''} ${i.severity} ${i.code}: ${i.message}`);
    }
    if (r.issuesTruncated) lines.push(`  ... and ${num(r.issuesTruncated)} more (raise --max-issues to list them)`);
  }
  lines.push('', r.usable ? 'Usable: yes' : `Usable: no${r.goodRows ? ` (fix the bad rows, or import with --skip-bad to leave them out)` : ' (no good rows: check --format and --map)'}`);
  return lines.join('\n');
}
