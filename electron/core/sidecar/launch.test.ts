/**
 * The accelerate launch a multi-process run starts with (issue #15): the config Hone writes for DDP and FSDP, the
 * cards each process sees, each machine's command for a multi-node run. Where a Python is at hand (npm test sets
 * HONE_PYTHON), accelerate's own parser reads the files and says what torchrun and the processes would get.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { DistributedPlan, Plan } from '../../shared/types/plan';
import { loadCatalog } from '../catalog/catalog';
import { REPO_ROOT } from '../paths';
import { computePlan } from '../planner/plan';
import { toSidecarConfig } from './config';
import { accelerateConfig, launchArgs, launchEnv, launchFor } from './launch';
import { shellQuote, writeLaunchBundle } from './multi-node';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;
const PYTHON = process.env.HONE_PYTHON;

const ddp: DistributedPlan = { strategy: 'ddp', processes: 2, nodes: 1, gpu_indices: [2, 0], backend: 'plain', mixed_precision: 'bf16', fsdp: null, budget_per_process_gb: 23, reason: 'r' };

/** What accelerate makes of a config file: the launch mode, torchrun's arguments, the processes' FSDP settings. */
function accelerateReads(configPath: string, extra: string[] = []): Record<string, unknown> {
  const script = `
import json, sys, warnings
warnings.simplefilter("ignore")
from accelerate.commands.launch import launch_command_parser, _validate_launch_command
from accelerate.utils.launch import prepare_multi_gpu_env
args = launch_command_parser().parse_args(sys.argv[1:])
args, _, _ = _validate_launch_command(args)
env = prepare_multi_gpu_env(args)
keep = {k: v for k, v in env.items() if k.startswith(("ACCELERATE_USE_", "ACCELERATE_MIXED", "FSDP_")) or k == "OMP_NUM_THREADS"}
print(json.dumps({"env": keep, "use_fsdp": bool(args.use_fsdp), "multi_gpu": bool(args.multi_gpu), "cpu": bool(args.cpu),
  "nproc_per_node": getattr(args, "nproc_per_node", None), "nnodes": getattr(args, "nnodes", None), "node_rank": getattr(args, "node_rank", None),
  "rdzv_endpoint": getattr(args, "rdzv_endpoint", None), "module": bool(args.module)}))`;
  const out = execFileSync(PYTHON!, ['-c', script, '--config_file', configPath, ...extra, '--module', 'hone_sidecar'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hone-launch-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('DDP on two cards: MULTI_GPU with 2 processes, a free port, the plan\'s precision; the cards visible in rank order', () => {
  const c = accelerateConfig(ddp);
  assert.deepEqual([c.distributed_type, c.num_processes, c.num_machines, c.machine_rank, c.main_process_port, c.mixed_precision, c.use_cpu], ['MULTI_GPU', 2, 1, 0, 0, 'bf16', false]);
  assert.equal(c.fsdp_config, undefined);
  assert.deepEqual(launchEnv(ddp, 'cuda'), { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '2,0' });
  assert.deepEqual(launchArgs('/r/accelerate.json', ddp, 'cuda'), ['-m', 'accelerate.commands.launch', '--config_file', '/r/accelerate.json', '--module', 'hone_sidecar']);
});

test('CPU processes: the same launcher with no card visible, the cores shared between the processes', () => {
  const cpu: DistributedPlan = { ...ddp, gpu_indices: [], mixed_precision: 'no' };
  assert.deepEqual(launchEnv(cpu, 'cpu'), { CUDA_VISIBLE_DEVICES: '' });
  assert.deepEqual(launchArgs('/c.json', { ...cpu, processes: 3 }, 'cpu', { cpuCores: 16 }).slice(4, 6), ['--num_cpu_threads_per_process', '5']);
  assert.deepEqual(launchArgs('/c.json', cpu, 'cpu', { cpuCores: 1 }).slice(4, 6), ['--num_cpu_threads_per_process', '1']);
  assert.equal(accelerateConfig(cpu).distributed_type, 'MULTI_GPU', 'MULTI_CPU would go through mpirun');
  // Cards named by size (`--vram-gb 24 --processes 2`): the machine's own cards, untouched.
  assert.deepEqual(launchEnv({ ...ddp, gpu_indices: [] }, 'cuda'), {});
});

test('FSDP from the planner: the decoder layer wrapped, full sharding, offload as planned, sharded checkpoints', () => {
  const hw = {
    gpus: [0, 1].map((index) => ({ index, vendor: 'nvidia' as const, name: 'NVIDIA GeForce RTX 3060', vramTotalMb: 12288, vramFreeMb: 12000, driverVersion: '550.54.14', computeCapability: '8.6', cudaDriverVersion: '12.4', processes: [] })),
    selectedGpu: 0, selectedGpus: [0, 1], cpu: { brand: 'x', cores: 16, physicalCores: 8 }, ramTotalMb: 65536, ramFreeMb: 60000,
    os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' }, disk: { path: '/', freeMb: 1e6, totalMb: 2e6 }, notices: [], backend: 'cuda' as const,
  };
  const plan = computePlan({ hardware: hw, model: byId('qwen2.5-14b-instruct') });
  assert.equal(plan.distributed?.strategy, 'fsdp');
  const c = accelerateConfig(plan.distributed!);
  assert.equal(c.distributed_type, 'FSDP');
  assert.deepEqual(c.fsdp_config, {
    fsdp_version: 1, fsdp_sharding_strategy: 'FULL_SHARD', fsdp_auto_wrap_policy: 'TRANSFORMER_BASED_WRAP', fsdp_transformer_layer_cls_to_wrap: 'Qwen2DecoderLayer',
    fsdp_offload_params: false, fsdp_backward_prefetch: 'BACKWARD_PRE', fsdp_forward_prefetch: false, fsdp_state_dict_type: 'SHARDED_STATE_DICT',
    fsdp_sync_module_states: true, fsdp_cpu_ram_efficient_loading: true, fsdp_use_orig_params: false, fsdp_activation_checkpointing: false,
  });
  assert.equal(c.mixed_precision, 'bf16');
  assert.deepEqual(launchFor(plan, '/runs/1'), { distributed: plan.distributed, device: 'cuda', configDir: '/runs/1' });
});

test('one process has no launcher; a multi-machine plan is refused with the command that prints it', () => {
  assert.equal(launchFor({ device: 'cpu', distributed: undefined }, '/r'), null);
  assert.throws(() => launchFor({ device: 'cuda', distributed: { ...ddp, nodes: 2 } }, '/r'), (e: { code?: string; hint?: string }) => e.code === 'BAD_CONFIG' && /--print-launch/.test(e.hint ?? ''));
  assert.throws(() => accelerateConfig({ ...ddp, nodes: 2 }), /machine's rank/);
});

test('multi-node: each machine gets its config (rank, the main address, every process counted) and one command line', (t) => {
  const dir = tmp(t);
  // 70B on 2 machines of 4 x 24 GB: sharded over all 8 cards.
  const plan = computePlan({ hardware: null, model: byId('llama-3.1-70b-instruct'), overrides: { vramGb: 24, processes: 4, nodes: 2 } });
  assert.deepEqual([plan.fits, plan.distributed?.nodes, plan.distributed?.strategy], [true, 2, 'fsdp']);
  const config = toSidecarConfig(plan, { model: 'm', dataset: '/data/train.jsonl', objective: 'sft', plan, maxSteps: 100 }, { modelPath: '/models/qwen', outputDir: dir });
  const b = writeLaunchBundle({ python: '/opt/hone/venv/bin/python', pythonRuntimeDir: '/opt/hone/python runtime', plan, config, outputDir: dir, mainIp: 'node-a.cluster', resume: true });
  assert.equal(b.nodes.length, 2);
  assert.deepEqual(JSON.parse(fs.readFileSync(b.runConfigPath, 'utf8')), JSON.parse(JSON.stringify(config)));
  for (const n of b.nodes) {
    const c = JSON.parse(fs.readFileSync(n.configPath, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([c.machine_rank, c.num_machines, c.num_processes, c.main_process_ip, c.main_process_port, c.distributed_type], [n.machineRank, 2, 8, 'node-a.cluster', 29500, 'FSDP']);
    assert.ok(n.command.includes(`--config_file ${n.configPath} --module hone_sidecar --config ${b.runConfigPath} --resume`), n.command);
    assert.match(n.command, /^PYTHONPATH='\/opt\/hone\/python runtime' PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 \/opt\/hone\/venv\/bin\/python -m accelerate\.commands\.launch /);
  }
  if (process.platform !== 'win32') assert.equal(fs.statSync(b.runConfigPath).mode & 0o077, 0, 'the run config is private');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.throws(() => writeLaunchBundle({ python: 'p', pythonRuntimeDir: 'r', plan: { ...plan, distributed: undefined } as Plan, config, outputDir: dir, mainIp: 'x' }), /one process/);
});

test('accelerate itself reads the configs: torchrun gets the processes and machines, FSDP gets the wrap class', { skip: !PYTHON && 'needs HONE_PYTHON (npm test sets it)' }, (t) => {
  const dir = tmp(t);
  const write = (name: string, c: unknown) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, JSON.stringify(c));
    return p;
  };
  const cpu = accelerateReads(write('cpu.json', accelerateConfig({ ...ddp, gpu_indices: [], mixed_precision: 'no' })), ['--num_cpu_threads_per_process', '1']);
  assert.deepEqual([cpu.multi_gpu, cpu.cpu, cpu.use_fsdp, cpu.nproc_per_node, cpu.module], [true, false, false, '2', true], 'two processes through torchrun, not accelerate\'s single-process CPU path');
  assert.deepEqual(cpu.env, { ACCELERATE_MIXED_PRECISION: 'no', OMP_NUM_THREADS: '1' });
  const fsdp: DistributedPlan = { ...ddp, strategy: 'fsdp', nodes: 2, fsdp: { sharding: 'FULL_SHARD', wrap: 'LlamaDecoderLayer', offload_params: true } };
  const node1 = accelerateReads(write('fsdp.json', accelerateConfig(fsdp, { machineRank: 1, mainIp: '10.0.0.1', mainPort: 29500 })));
  assert.deepEqual([node1.use_fsdp, node1.nproc_per_node, node1.nnodes, node1.node_rank, node1.rdzv_endpoint], [true, '2', '2', 1, '10.0.0.1:29500']);
  const env = node1.env as Record<string, string>;
  assert.deepEqual([env.ACCELERATE_USE_FSDP, env.FSDP_TRANSFORMER_CLS_TO_WRAP, env.FSDP_AUTO_WRAP_POLICY, env.FSDP_OFFLOAD_PARAMS, env.FSDP_SHARDING_STRATEGY, env.FSDP_STATE_DICT_TYPE, env.FSDP_CPU_RAM_EFFICIENT_LOADING, env.ACCELERATE_MIXED_PRECISION],
    ['true', 'LlamaDecoderLayer', 'TRANSFORMER_BASED_WRAP', 'true', 'FULL_SHARD', 'SHARDED_STATE_DICT', 'true', 'bf16']);
});
