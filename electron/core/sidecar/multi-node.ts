/**
 * Several machines (issue #15): Hone plans the run and writes what each machine needs, and the user's scheduler
 * (Slurm, a cloud's job runner, a terminal per machine) starts it. Hone does not reach other machines itself.
 *
 * `hone train ... --nodes N --print-launch` writes into the run folder:
 *   launch/run.json                  the sidecar's run config (`python -m hone_sidecar --config run.json` reads it:
 *                                    batch mode, no stdin; events still go to stdout as JSON lines)
 *   launch/accelerate-node<i>.json   accelerate's config for machine i (its machine_rank, the main machine's address)
 * and prints the command for each machine. It also serves one machine with several GPUs, for users who run the
 * launch under their own scheduler.
 *
 * Every machine needs the same paths: the model folder, the data, python-runtime/ and the run folder (a shared
 * file system, as clusters have). Rank 0 (machine 0's first process) writes checkpoints and outputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { Plan } from '../../shared/types/plan';
import type { SidecarRunConfig } from './config';
import { accelerateConfig, DEFAULT_MAIN_PORT, launchArgs, launchEnv } from './launch';

export interface LaunchBundleInput {
  python: string;
  pythonRuntimeDir: string;
  plan: Plan;
  config: SidecarRunConfig;
  outputDir: string;
  /** The address the other machines reach machine 0 at (a hostname or IP). */
  mainIp: string;
  mainPort?: number;
  /** Start from the newest checkpoint in the run folder (the sidecar's --resume). */
  resume?: boolean;
}

export interface NodeLaunch {
  machineRank: number;
  configPath: string;
  env: Record<string, string>;
  argv: string[];
  /** The same as one POSIX shell line. */
  command: string;
}

export interface LaunchBundle {
  dir: string;
  runConfigPath: string;
  nodes: NodeLaunch[];
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function writeLaunchBundle(input: LaunchBundleInput): LaunchBundle {
  const d = input.plan.distributed;
  if (!d) {
    throw new HoneError('BAD_REQUEST', 'This plan trains in one process: there is no multi-process launch to print.', 'Add --nodes N, --gpus 0,1 or --processes N.');
  }
  if (!input.mainIp.trim()) throw new HoneError('BAD_REQUEST', 'The main machine\'s address is empty.', 'Give --main-ip with the host name or IP the other machines reach machine 0 at.');
  const dir = path.join(input.outputDir, 'launch');
  fs.mkdirSync(dir, { recursive: true });
  const runConfigPath = path.join(dir, 'run.json');
  fs.writeFileSync(runConfigPath, `${JSON.stringify(input.config, null, 2)}\n`, { mode: 0o600 });
  const mainPort = input.mainPort ?? DEFAULT_MAIN_PORT;
  const nodes: NodeLaunch[] = [];
  for (let machineRank = 0; machineRank < Math.max(1, d.nodes); machineRank++) {
    const configPath = path.join(dir, `accelerate-node${machineRank}.json`);
    const config = accelerateConfig(d, d.nodes > 1 ? { machineRank, mainIp: input.mainIp, mainPort } : undefined);
    if (d.nodes <= 1) config.main_process_port = mainPort;
    fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    const env: Record<string, string> = {
      ...launchEnv(d, input.plan.device),
      PYTHONPATH: input.pythonRuntimeDir,
      PYTHONUNBUFFERED: '1',
      TOKENIZERS_PARALLELISM: 'false',
      HF_HUB_OFFLINE: '1',
    };
    const sidecarArgs = ['--config', runConfigPath, ...(input.resume ? ['--resume'] : [])];
    const argv = [input.python, ...launchArgs(configPath, d, input.plan.device, { sidecarArgs })];
    const command = [...Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`), ...argv.map(shellQuote)].join(' ');
    nodes.push({ machineRank, configPath, env, argv, command });
  }
  return { dir, runConfigPath, nodes };
}
