/** `hone send-to-ollama <run id | run folder> --name <name>`: a finished run → a model in the local Ollama. */
import { parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import { formatBytes } from '../../core/models/progress';
import { connect } from '../../core/ollama/client';
import { QUANTIZATIONS, sendToOllama } from '../../core/ollama/export';
import { getDigestCache } from '../../core/ollama/handlers';
import { getRunAccess } from '../../core/ollama/run-source';
import type { Quantization } from '../../shared/types/ollama';

export const summary = 'Register a finished run with the local Ollama (name, quantisation, chat template)';

const HELP = `Usage: hone send-to-ollama <run id | run folder> --name <name> [options]

Sends the run's merged model (or, when Ollama cannot import its architecture, its LoRA adapter onto the
same base already in Ollama) with a chat template, system prompt and stop words derived from the model's
own chat template, checks that Ollama renders the prompt training saw (refusing the send when it does
not), then prints the check and how to chat with it. Files Ollama already has are not sent again.

Options:
  --name <name>        Ollama model name: [namespace/]name[:tag], lowercase (required)
  --quantize <q>       ${QUANTIZATIONS.join(' | ')} (default q4_K_M; f16 keeps full 16-bit weights)
  --system <text>      a default system prompt baked into the model
  --overwrite          replace a model of the same name
  --json               print the result (and errors) as JSON; progress goes to stderr either way

Environment: OLLAMA_HOST (default 127.0.0.1:11434), HONE_DATA_DIR (the data folder).`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { string: ['name', 'quantize', 'system'], boolean: ['json', 'overwrite'] });
  if (args.flags.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [runRef, ...extra] = args.positional;
  if (!runRef || extra.length) throw new UsageError('give one run: its id or its folder. See --help.');
  const name = stringFlag(args, 'name');
  if (!name) throw new UsageError('--name is required, e.g. --name my-assistant');
  const quantize = (stringFlag(args, 'quantize') ?? 'q4_K_M') as Quantization;
  if (!QUANTIZATIONS.includes(quantize)) throw new UsageError(`--quantize is one of ${QUANTIZATIONS.join(', ')}, not "${quantize}"`);
  const json = args.flags.json === true;

  const { ctx } = io.core();
  const { baseUrl, client } = connect(ctx);
  // One line per stage change and per 10% of a measured stage, on stderr so --json output stays clean.
  let last = '';
  const res = await sendToOllama(
    { run: runRef, name, quantize, system: stringFlag(args, 'system'), overwrite: args.flags.overwrite === true },
    {
      baseUrl,
      client,
      access: getRunAccess(ctx),
      resourcesDir: ctx.paths.resourcesDir,
      digests: getDigestCache(ctx),
      emit: (p) => {
        const pct = p.total ? Math.floor((10 * p.done) / p.total) * 10 : null;
        const line = p.total ? `${p.stage}: ${formatBytes(p.done)} / ${formatBytes(p.total)} (${pct}%)` : `${p.stage}${p.detail ? `: ${p.detail}` : ''}`;
        const key = `${p.stage}|${pct ?? p.detail}`;
        if (key !== last) io.err(line);
        last = key;
      },
    },
  );
  if (json) {
    io.out(JSON.stringify({ exportId: res.exportId, runId: res.runId, name: res.name, digest: res.digest, route: res.route, quantize: res.record.quantize, uploaded: res.uploaded, skipped: res.skipped, host: baseUrl, template: res.record.template, check: res.check }));
  } else {
    const t = res.record.template;
    const lines = [
      `${res.name} is in Ollama (${res.record.quantize}; ${res.uploaded} file${res.uploaded === 1 ? '' : 's'} sent, ${res.skipped} already there).`,
      `Prompt check: ${res.check.summary}`,
      ...(t?.system ? [`System prompt (as in training): ${t.system}`] : []),
      ...(t?.date ? [`Date in the prompt (the training day): ${t.date}`] : []),
      `Chat with it: ollama run ${res.name}`,
    ];
    io.out(lines.join('\n'));
  }
  return EXIT.OK;
}
