/** The bundled sample datasets (resources/samples/*.jsonl), with their objective taken from their format. */
import fs from 'node:fs';
import path from 'node:path';
import { detectFormat } from './formats/detect';
import { jsonlBatches } from './readers/jsonl';

export interface SampleInfo {
  name: string;
  path: string;
  objective: 'sft' | 'dpo';
  rows: number;
}

export async function listSamples(resourcesDir: string): Promise<SampleInfo[]> {
  const dir = path.join(resourcesDir, 'samples');
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const out: SampleInfo[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const head: unknown[] = [];
    let rows = 0;
    for await (const batch of jsonlBatches(file)) {
      rows += batch.length;
      for (const r of batch) if ('value' in r && head.length < 50) head.push(r.value);
    }
    out.push({ name: f.replace(/\.jsonl$/, ''), path: file, objective: detectFormat(head).format === 'dpo' ? 'dpo' : 'sft', rows });
  }
  return out;
}
