/** `hone export <run> --to gguf|lmstudio|adapter|card`: a finished run as files to take elsewhere. */
import path from 'node:path';
import { parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import { formatBytes } from '../../core/models/progress';
import { exportDeps } from '../../core/exports/deps';
import { runExport } from '../../core/exports/service';
import { EXPORT_TARGETS, GGUF_QUANTS, type ExportTarget, type GgufQuantization } from '../../shared/types/exports';

export const summary = 'Save a finished run as a GGUF file, add it to LM Studio, or bundle its adapter with a model card';

const HELP = `Usage: hone export <run id | run folder> --to <target> [options]

Targets:
  gguf       <name>-<quant>.gguf for llama.cpp, LM Studio or Ollama, with the model's chat template inside.
             Ollama converts and quantises it (the model you sent at that quantisation, or one made for the
             export and removed afterwards), so Ollama must be running.
  lmstudio   the GGUF file (made first if needed) in LM Studio's models folder, as hone/<name>-GGUF.
  adapter    <name>-adapter.zip: the LoRA adapter, the tokenizer with its chat template, and the model card;
             it loads with PeftModel.from_pretrained(base, folder).
  card       README.md in the run folder: the model card (Hugging Face format), with no training data in it.

Options:
  --to <target>        ${EXPORT_TARGETS.join(' | ')} (required)
  --quantize <q>       ${GGUF_QUANTS.join(' | ')} (gguf, lmstudio; default q4_K_M). q5_K_M needs Ollama older than 0.7.
  --out <path>         gguf: a .gguf file or a folder; adapter: a .zip file or a folder (default: the run folder's exports/)
  --overwrite          replace the file at --out
  --license <id>       model card: the licence, e.g. apache-2.0 (default: the base model's)
  --tags <a,b>         model card: extra tags
  --datasets <a,b>     model card: the Hugging Face datasets it was trained on, e.g. acme/support-tickets
  --json               print the result (and errors) as JSON; progress goes to stderr either way

Environment: OLLAMA_HOST (default 127.0.0.1:11434), OLLAMA_MODELS (Ollama's models folder, when Ollama runs
in a container), HONE_DATA_DIR (the data folder).`;

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { string: ['to', 'quantize', 'out', 'license', 'tags', 'datasets'], boolean: ['json', 'overwrite'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [runRef, ...extra] = args.positional;
  if (!runRef || extra.length) throw new UsageError('give one run: its id or its folder. See --help.');
  const target = stringFlag(args, 'to') as ExportTarget | undefined;
  if (!target) throw new UsageError(`--to is required: ${EXPORT_TARGETS.join(', ')}`);
  if (!EXPORT_TARGETS.includes(target)) throw new UsageError(`--to is one of ${EXPORT_TARGETS.join(', ')}, not "${target}"`);
  const quantize = stringFlag(args, 'quantize') as GgufQuantization | undefined;
  if (quantize !== undefined && !GGUF_QUANTS.includes(quantize)) throw new UsageError(`--quantize is one of ${GGUF_QUANTS.join(', ')}, not "${quantize}"`);
  if (quantize !== undefined && target !== 'gguf' && target !== 'lmstudio') throw new UsageError('--quantize is for --to gguf and --to lmstudio');
  const out = stringFlag(args, 'out');
  if (out !== undefined && target !== 'gguf' && target !== 'adapter') throw new UsageError('--out is for --to gguf and --to adapter (LM Studio files go to its models folder, the card to the run folder)');
  const json = args.flags.json === true;

  const { ctx } = io.core();
  let last = '';
  const deps = exportDeps(ctx, (p) => {
    const pct = p.total ? Math.floor((10 * p.done) / p.total) * 10 : null;
    const amount = p.total ? (p.unit === 'bytes' ? `${formatBytes(p.done)} / ${formatBytes(p.total)}` : `${p.done} / ${p.total}`) : '';
    const line = `${p.stage}${amount ? `: ${amount} (${pct}%)` : ''}${p.detail && !amount ? `: ${p.detail}` : ''}`;
    const key = `${p.stage}|${pct ?? p.detail}`;
    if (key !== last) io.err(line);
    last = key;
  });
  const res = await runExport(
    { run: runRef, target, quantize, out, overwrite: args.flags.overwrite === true, card: { license: stringFlag(args, 'license'), tags: list(stringFlag(args, 'tags')), datasets: list(stringFlag(args, 'datasets')) } },
    deps,
  );
  if (json) {
    io.out(JSON.stringify({ exportId: res.exportId, runId: res.runId, target: res.target, path: res.path, bytes: res.bytes, quantize: res.quantize ?? null, detail: res.detail ?? null, ...(res.extra ?? {}) }));
    return EXIT.OK;
  }
  const lines = [`${path.basename(res.path)} (${formatBytes(res.bytes)})`, `  ${res.path}`];
  if (res.detail) lines.push(`  ${res.target === 'adapter' ? `Files: ${res.detail}` : res.detail}`);
  if (res.target === 'gguf') lines.push(`Use it: llama-cli -m "${res.path}" -cnv, open it in LM Studio, or \`hone export ${runRef} --to lmstudio\`.`);
  if (res.target === 'lmstudio') lines.push('It shows in LM Studio under My Models (restart LM Studio if it was open).');
  if (res.target === 'adapter') lines.push('Load it: unzip, then PeftModel.from_pretrained(base_model, folder); the README inside says how it was trained.');
  io.out(lines.join('\n'));
  return EXIT.OK;
}
