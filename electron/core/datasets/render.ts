/**
 * The first rows as the model will see them: normalised, then rendered with the chosen model's chat
 * template into segments, the trained part marked. DPO rows render twice (chosen and rejected).
 */
import type { ColumnMapping, DatasetFormat, NormalisedMessage, RenderedRow } from '../../shared/types/dataset';
import { normaliseRecord } from './formats/normalise';
import type { ModelTemplate } from './model';
import { openSource } from './readers';
import { detectIn } from './scan';

export interface RenderOptions {
  path: string;
  format?: DatasetFormat;
  mapping?: ColumnMapping;
  template: ModelTemplate;
  rows?: number;
}

function renderOne(t: ModelTemplate, line: number, msgs: NormalisedMessage[], variant?: RenderedRow['variant']): RenderedRow {
  const base = { line, template: t.renderer.label, ...(variant ? { variant } : {}) };
  try {
    const segments = t.renderer.segments(msgs);
    return { ...base, segments, tokens: t.counter.count(segments.map((s) => s.text).join('')) };
  } catch (err) {
    return { ...base, segments: [], tokens: 0, error: `the chat template refuses this row: ${(err as Error).message}` };
  }
}

export async function renderRows(opts: RenderOptions): Promise<RenderedRow[]> {
  const source = await openSource(opts.path);
  const want = Math.max(1, Math.min(opts.rows ?? 5, 50));
  const { format, mapping } = await detectIn(source, { format: opts.format, mapping: opts.mapping });
  const out: RenderedRow[] = [];
  let rendered = 0;
  for await (const rec of source.records()) {
    if (!('value' in rec)) continue;
    const { value: row } = normaliseRecord(rec.value, format, mapping, rec.line);
    if (!row) continue;
    if ('messages' in row) out.push(renderOne(opts.template, rec.line, row.messages));
    else if ('prompt' in row) {
      out.push(renderOne(opts.template, rec.line, [...row.prompt, ...row.chosen], 'chosen'));
      out.push(renderOne(opts.template, rec.line, [...row.prompt, ...row.rejected], 'rejected'));
    }
    if (++rendered >= want) break;
  }
  return out;
}
