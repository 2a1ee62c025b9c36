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
  /** The demo's sample (style.json's training rows): what "Try the demo" trains on. */
  demo?: boolean;
  /** Held-out rows that go with it (style.json's eval file), used as the run's evaluation set. */
  evalPath?: string;
}

/** style.json names the demo's training and held-out files; the held-out file is not offered for training. */
function demoFiles(dir: string): { train: string; eval: string } | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'style.json'), 'utf8')) as { train?: unknown; eval?: unknown };
    return typeof s.train === 'string' && typeof s.eval === 'string' ? { train: s.train, eval: s.eval } : null;
  } catch {
    return null;
  }
}

export async function listSamples(resourcesDir: string): Promise<SampleInfo[]> {
  const dir = path.join(resourcesDir, 'samples');
  if (!fs.existsSync(dir)) return [];
  const demo = demoFiles(dir);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl') && f !== demo?.eval).sort();
  const out: SampleInfo[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const head: unknown[] = [];
    let rows = 0;
    for await (const batch of jsonlBatches(file)) {
      rows += batch.length;
      for (const r of batch) if ('value' in r && head.length < 50) head.push(r.value);
    }
    const isDemo = f === demo?.train && fs.existsSync(path.join(dir, demo.eval));
    out.push({ name: f.replace(/\.jsonl$/, ''), path: file, objective: detectFormat(head).format === 'dpo' ? 'dpo' : 'sft', rows, ...(isDemo ? { demo: true, evalPath: path.join(dir, demo.eval) } : {}) });
  }
  return out;
}
