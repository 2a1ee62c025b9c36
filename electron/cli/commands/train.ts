/**
 * `hone train --model <id|folder> --data <file> ...`: a whole training run in the terminal. Ctrl-C asks the
 * sidecar to finish its step and save (a second Ctrl-C kills it); the run folder is printed at the end.
 */
import { noPositionals, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import os from 'node:os';
import { prepareHeadless, trainHeadless } from '../../core/sidecar/headless-train';
import { writeLaunchBundle } from '../../core/sidecar/multi-node';
import type { SidecarProcess } from '../../core/sidecar/process';
import type { SidecarEvent } from '../../shared/types/sidecar';
import type { RunMemory } from '../../shared/types/memory';

export const summary = 'Fine-tune a model on a dataset, headless (small models such as the SmolLM2 demo train on a CPU)';

const HELP = `Usage: hone train --model <catalogue id | folder> --data <file> [options]

  --model ID|DIR      a catalogue id (smollm2-135m-instruct, the demo, is fetched on first use), a
                      downloaded Hub repo, or a local model folder
  --data FILE         JSONL, JSON, CSV or Parquet (messages, Alpaca, ShareGPT, prompt/completion, DPO pairs)
  --eval-data FILE    a separate evaluation set
  --method sft|dpo    the objective (default: dpo for preference pairs, sft otherwise)
  --max-steps N       stop after N optimiser steps (default: one epoch)
  --epochs N          number of epochs when --max-steps is not given
  --lr X              learning rate (default: the plan's)
  --seed N            random seed (default 42)
  --merge             also write a merged 16-bit model
  --out DIR           the run folder (default: a new one under the data folder's cli-runs/)
  --resume            continue the run in --out from its newest checkpoint
  --skip-bad-rows     train on the good rows when some are malformed (default: stop and report them)
  --batch N           per-device batch size (default: the plan's)
  --grad-accum N      gradient-accumulation steps (default: the plan's)
  --json              print every sidecar event as one JSON line, then a result line

Several processes (one machine: Hone starts them through accelerate launch; rank 0 reports):
  --gpus 0,1          train on these NVIDIA GPUs together (DDP when the model fits one card, FSDP otherwise)
  --processes N       N processes: the first N GPUs, or on a machine without one N CPU processes (gloo)
  --nodes N           plan for N machines with --processes/--gpus each; needs --print-launch
  --print-launch      write the accelerate config and the run config into --out and print the command
                      for each machine, for your scheduler to run; Hone does not start other machines
  --main-ip HOST      with --print-launch: the address the other machines reach machine 0 at
                      (default: this machine's host name)
  --main-port N       with --print-launch: the rendezvous port on machine 0 (default 29500)

Memory check (a few steps on the longest rows, measured, before training; every GPU run does it):
  --budget-gb X       hold the measured peak under X GB less a margin (on the CPU this turns the check on,
                      measuring the process's memory growth); the batch shrinks (accumulation keeps the
                      effective batch) until it fits
  --allow-truncation  if even batch 1 does not fit, the check may cut rows to a shorter max_seq_length
  --faster            when the check finds lots of room, try a larger batch and keep it if it fits
  --no-memory-check   skip the check

Exit status: 0 when training finished, 1 when it failed or was stopped, 2 for bad arguments.`;

function describe(e: SidecarEvent): string | null {
  switch (e.type) {
    case 'ready':
      return `Sidecar ready: ${e.backend} backend on ${e.device} (torch ${e.torch})${e.processes ? `, ${e.processes} processes: ${(e.devices ?? []).map((d, i) => `rank ${i} on ${d}`).join(', ')}` : ''}`;
    case 'progress':
      return e.stage === 'training' || e.stage === 'checking_memory' || (e.total !== null && e.done !== 0 && e.done !== e.total) ? null : `${e.stage.replace(/_/g, ' ')}${e.total ? ` ${e.done}/${e.total} ${e.unit}` : ''}`;
    case 'metrics': {
      const parts = [`step ${e.step}/${e.max_steps}`];
      if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
      if (e['rewards/margins'] !== undefined) parts.push(`margin ${e['rewards/margins'].toFixed(3)}`);
      if (e.learning_rate !== undefined) parts.push(`lr ${e.learning_rate.toExponential(2)}`);
      if (e.tokens_per_second !== undefined) parts.push(`${Math.round(e.tokens_per_second)} tok/s`);
      return parts.join('  ');
    }
    case 'eval':
      return `eval at step ${e.step}: loss ${e.eval_loss.toFixed(4)}`;
    case 'checkpoint':
      return `checkpoint: ${e.path}`;
    case 'artifact':
      return `${e.kind}: ${e.path}`;
    case 'log':
      return e.level === 'warning' || e.level === 'error' ? `${e.level}: ${e.message}` : null;
    case 'memory_probe':
      return `checking memory: batch ${e.batch_size} x ${e.grad_accum}, ${e.steps} steps on the longest rows (${e.tokens} tokens): ${e.peak_gb} GB ${e.measure === 'cuda' ? 'peak reserved' : 'process memory growth'}${e.oom ? ', out of memory' : ''}`;
    case 'memory_check':
      return e.action === 'abort' ? null : e.message.replace(/^Checking memory/, 'checking memory');
    case 'error':
      return `error ${e.code}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`;
    default:
      return null;
  }
}

/** "Memory: planned 21.3 GB; checked 21.7 of 24 GB (fits); training peak 21.1 GB reserved". */
export function memorySummary(m: RunMemory): string | null {
  const parts: string[] = [];
  if (m.check) {
    const last = m.check.readings.at(-1);
    parts.push(`checked ${last ? `${last.usedGb.toFixed(2)} of ` : ''}${m.check.budgetGb.toFixed(2)} GB (${m.check.verdict.replace(/_/g, ' ')})`);
    if (m.check.applied) parts.push(`trained at batch ${m.check.applied.batchSize} x ${m.check.applied.gradAccum}, max_seq_length ${m.check.applied.maxSeqLength}`);
  }
  if (typeof m.trainingPeakGb === 'number') parts.push(`training peak ${m.trainingPeakGb.toFixed(2)} GB reserved`);
  if (!parts.length) return null;
  return `Memory: planned ${m.plannedGb.toFixed(2)} GB; ${parts.join('; ')}`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    string: ['model', 'data', 'eval-data', 'method', 'max-steps', 'epochs', 'lr', 'seed', 'out', 'batch', 'grad-accum', 'budget-gb', 'processes', 'gpus', 'nodes', 'main-ip', 'main-port'],
    boolean: ['json', 'merge', 'resume', 'skip-bad-rows', 'allow-truncation', 'faster', 'no-memory-check', 'print-launch'],
  });
  if (args.flags.help) {
    io.out(HELP);
    return 0;
  }
  noPositionals(args, 'train');
  const model = stringFlag(args, 'model');
  const data = stringFlag(args, 'data');
  if (!model || !data) throw new UsageError('--model and --data are required (see hone train --help)');
  const method = stringFlag(args, 'method');
  if (method !== undefined && method !== 'sft' && method !== 'dpo') throw new UsageError(`--method must be sft or dpo, got "${method}"`);
  const maxSteps = numberFlag(args, 'max-steps');
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) throw new UsageError('--max-steps must be a whole number of at least 1');
  const json = args.flags.json === true;
  const whole = (name: string) => {
    const n = numberFlag(args, name);
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} must be a whole number of at least 1`);
    return n;
  };
  const budgetGb = numberFlag(args, 'budget-gb');
  if (budgetGb !== undefined && !(budgetGb > 0)) throw new UsageError('--budget-gb must be a number of GB above 0');

  const gpusText = stringFlag(args, 'gpus');
  let gpus: number[] | undefined;
  if (gpusText !== undefined) {
    gpus = gpusText.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
    if (!gpus.length || gpus.some((i) => !Number.isInteger(i) || i < 0)) throw new UsageError(`--gpus takes nvidia-smi indices separated by commas (--gpus 0,1), got "${gpusText}"`);
  }
  const processes = whole('processes');
  const nodes = whole('nodes');
  const printLaunch = args.flags['print-launch'] === true;
  if (nodes !== undefined && nodes > 1 && !printLaunch) throw new UsageError('--nodes runs on several machines, which Hone does not start: add --print-launch to write each machine\'s command');
  const mainPort = whole('main-port');
  if (!printLaunch && (stringFlag(args, 'main-ip') !== undefined || mainPort !== undefined)) throw new UsageError('--main-ip and --main-port go with --print-launch');
  const several = { ...(processes ? { processes } : {}), ...(gpus ? { gpus } : {}), ...(nodes ? { nodes } : {}) };

  if (printLaunch) {
    const prepared = await prepareHeadless(io.core().ctx, {
      model, data, evalData: stringFlag(args, 'eval-data') ?? null, objective: method, maxSteps: maxSteps ?? null, epochs: numberFlag(args, 'epochs'),
      learningRate: numberFlag(args, 'lr'), seed: numberFlag(args, 'seed'), merge: args.flags.merge === true, outDir: stringFlag(args, 'out'),
      resume: args.flags.resume === true, skipBadRows: args.flags['skip-bad-rows'] === true, batchSize: whole('batch'), gradAccum: whole('grad-accum'),
      // The memory check needs the app to answer it; a scheduled run trains with the plan as it is.
      memoryCheck: { skip: true }, ...several, onInfo: (line) => io.out(line),
    });
    const bundle = writeLaunchBundle({
      python: prepared.python, pythonRuntimeDir: io.core().ctx.paths.pythonRuntimeDir, plan: prepared.plan, config: prepared.config,
      outputDir: prepared.outputDir, mainIp: stringFlag(args, 'main-ip') ?? os.hostname(), mainPort, resume: args.flags.resume === true,
    });
    if (json) {
      io.out(JSON.stringify({ type: 'launch', dir: bundle.dir, run_config: bundle.runConfigPath, nodes: bundle.nodes.map((n) => ({ machine_rank: n.machineRank, config: n.configPath, env: n.env, argv: n.argv })) }));
      return EXIT.OK;
    }
    io.out(`\nWrote ${bundle.runConfigPath} and ${bundle.nodes.length} accelerate config${bundle.nodes.length === 1 ? '' : 's'} in ${bundle.dir}.`);
    io.out('Hone does not start these: run each line on its machine (the same paths must exist on every machine), e.g. from your scheduler\'s job script.');
    for (const n of bundle.nodes) io.out(`\n# machine ${n.machineRank}${n.machineRank === 0 ? ' (rank 0: prints the events, writes checkpoints and outputs)' : ''}\n${n.command}`);
    io.out(`\nA stopped job resumes from its newest checkpoint: the same lines with --resume after --config. Output: ${prepared.outputDir}`);
    return EXIT.OK;
  }

  const abort = new AbortController();
  let sidecar: SidecarProcess | null = null;
  const onSignal = () => {
    if (!abort.signal.aborted) {
      io.err('Stopping after the current step and saving (Ctrl-C again to kill it now)...');
      abort.abort();
    } else if (sidecar) {
      void sidecar.kill().catch(() => {});
    } else {
      process.exit(130); // still preparing (building the demo, importing data): nothing to save yet
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await trainHeadless(io.core().ctx, {
      model,
      data,
      evalData: stringFlag(args, 'eval-data') ?? null,
      objective: method,
      maxSteps: maxSteps ?? null,
      epochs: numberFlag(args, 'epochs'),
      learningRate: numberFlag(args, 'lr'),
      seed: numberFlag(args, 'seed'),
      merge: args.flags.merge === true,
      outDir: stringFlag(args, 'out'),
      resume: args.flags.resume === true,
      skipBadRows: args.flags['skip-bad-rows'] === true,
      batchSize: whole('batch'),
      gradAccum: whole('grad-accum'),
      memoryCheck: {
        budgetGb: budgetGb ?? null,
        allowTruncation: args.flags['allow-truncation'] === true,
        takeFaster: args.flags.faster === true,
        skip: args.flags['no-memory-check'] === true,
      },
      ...several,
      signal: abort.signal,
      onInfo: (line) => (json ? undefined : io.out(line)),
      onEvent: (e) => {
        if (json) return io.out(JSON.stringify(e));
        const line = describe(e);
        if (line) (e.type === 'error' ? io.err : io.out)(line);
      },
      onSidecar: (s) => (sidecar = s),
    });
    const { exit, outputDir, memory } = result;
    const ok = exit.done !== null && !exit.done.stopped;
    if (json) {
      io.out(JSON.stringify({ type: 'result', ok, stopped: exit.done?.stopped ?? false, output_dir: outputDir, final_step: exit.done?.final_step ?? null, final_loss: exit.done?.final_loss ?? null, exit_code: exit.code, memory }));
    } else if (exit.done) {
      io.out(`${exit.done.stopped ? 'Stopped' : 'Finished'} at step ${exit.done.final_step}${exit.done.final_loss !== null ? `, loss ${exit.done.final_loss.toFixed(4)}` : ''}.`);
      if (exit.done.stopped) io.out(`Resume with: hone train --model ${model} --data ${data} --out ${outputDir} --resume`);
    } else if (!exit.error) {
      io.err(`The training process ended without finishing (exit code ${exit.code ?? exit.signal}). Last lines:\n${exit.tail.slice(-10).join('\n')}`);
    }
    const memoryLine = memorySummary(memory);
    if (!json && memoryLine) io.out(memoryLine);
    if (!json && ok) io.out(`Did it pay off? hone eval ${outputDir}${args.flags['eval-data'] ? '' : ' --data <held-out rows>'}`);
    if (!json) io.out(`Output: ${outputDir}`);
    return ok ? EXIT.OK : EXIT.FAIL;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
