/**
 * How a run over several processes is started (issue #15): `accelerate launch` with a config Hone writes from
 * the plan's distributed block, one `python -m hone_sidecar` per GPU (or per CPU process), each told its rank by
 * torchrun underneath. Rank 0 alone speaks the JSON-lines protocol on the launcher's stdin/stdout, so the rest of
 * the app drives a multi-process run exactly as it drives one sidecar.
 *
 * - GPUs: CUDA_VISIBLE_DEVICES names the chosen cards in nvidia-smi's (PCI) order; rank i trains on the i-th.
 * - CPU processes (how the path is tested without a GPU): the same launcher with no card visible, so every rank
 *   joins a gloo group. accelerate's own "MULTI_CPU" type goes through mpirun, which a desktop does not have, so
 *   the config says MULTI_GPU and the sidecar picks gloo when CUDA is absent (distributed.py).
 * - Several machines: the same config with num_machines, machine_rank and the main machine's address; Hone
 *   prints it and the command for each machine (multiNodeLaunch) and leaves the scheduling to the user.
 *
 * The config is JSON: accelerate reads a .json config file as it reads its YAML one (ClusterConfig.from_json_file).
 */
import { HoneError } from '../../shared/errors';
import type { DistributedPlan, Plan } from '../../shared/types/plan';

/** The accelerate config file's fields Hone sets (accelerate 1.x, commands/config/config_args.py ClusterConfig). */
export interface AccelerateConfig {
  compute_environment: 'LOCAL_MACHINE';
  distributed_type: 'MULTI_GPU' | 'FSDP';
  /** Every process of the run, over all machines (accelerate divides by num_machines per machine). */
  num_processes: number;
  num_machines: number;
  machine_rank: number;
  main_process_ip?: string;
  /** 0: a free port found at launch (one machine); several machines need a fixed one. */
  main_process_port: number;
  rdzv_backend: 'static';
  same_network: boolean;
  mixed_precision: DistributedPlan['mixed_precision'];
  use_cpu: false;
  gpu_ids: 'all';
  downcast_bf16: 'no';
  main_training_function: 'main';
  enable_cpu_affinity: false;
  tpu_use_cluster: false;
  tpu_use_sudo: false;
  tpu_env: [];
  fsdp_config?: Record<string, string | number | boolean>;
}

/** Rendezvous of a multi-machine run: this machine's rank and where rank 0's machine listens. */
export interface NodeRendezvous {
  machineRank: number;
  mainIp: string;
  mainPort: number;
}

export const DEFAULT_MAIN_PORT = 29500;

/**
 * FSDP as the FSDP-QLoRA recipe runs it (Answer.AI, and the PEFT/TRL docs): full sharding wrapped around each
 * decoder layer, weights loaded on one process's CPU and broadcast (cpu_ram_efficient_loading needs
 * sync_module_states), sharded checkpoints during training (the sidecar gathers a full state dict for the final
 * save), and use_orig_params off, which 4-bit storage and LoRA's frozen base need.
 */
export function fsdpConfig(fsdp: NonNullable<DistributedPlan['fsdp']>): Record<string, string | number | boolean> {
  return {
    fsdp_version: 1,
    fsdp_sharding_strategy: fsdp.sharding,
    fsdp_auto_wrap_policy: 'TRANSFORMER_BASED_WRAP',
    fsdp_transformer_layer_cls_to_wrap: fsdp.wrap,
    fsdp_offload_params: fsdp.offload_params,
    fsdp_backward_prefetch: 'BACKWARD_PRE',
    fsdp_forward_prefetch: false,
    fsdp_state_dict_type: 'SHARDED_STATE_DICT',
    fsdp_sync_module_states: true,
    fsdp_cpu_ram_efficient_loading: true,
    fsdp_use_orig_params: false,
    // The trainer's gradient checkpointing (the plan's) already recomputes activations; twice would only cost time.
    fsdp_activation_checkpointing: false,
  };
}

export function accelerateConfig(d: DistributedPlan, node?: NodeRendezvous): AccelerateConfig {
  const nodes = Math.max(1, d.nodes);
  if (nodes > 1 && !node) throw new Error('A run over several machines needs each machine\'s rank and the main machine\'s address.');
  const config: AccelerateConfig = {
    compute_environment: 'LOCAL_MACHINE',
    distributed_type: d.strategy === 'fsdp' ? 'FSDP' : 'MULTI_GPU',
    num_processes: d.processes * nodes,
    num_machines: nodes,
    machine_rank: node?.machineRank ?? 0,
    ...(node ? { main_process_ip: node.mainIp } : {}),
    main_process_port: node?.mainPort ?? 0,
    rdzv_backend: 'static',
    same_network: true,
    mixed_precision: d.mixed_precision,
    use_cpu: false,
    gpu_ids: 'all',
    downcast_bf16: 'no',
    main_training_function: 'main',
    enable_cpu_affinity: false,
    tpu_use_cluster: false,
    tpu_use_sudo: false,
    tpu_env: [],
  };
  if (d.strategy === 'fsdp' && d.fsdp) config.fsdp_config = fsdpConfig(d.fsdp);
  return config;
}

/** The launcher's arguments after `python`: accelerate launch with the config, the sidecar as a module. */
export function launchArgs(configPath: string, d: DistributedPlan, device: 'cuda' | 'cpu', opts: { cpuCores?: number; sidecarArgs?: string[] } = {}): string[] {
  const args = ['-m', 'accelerate.commands.launch', '--config_file', configPath];
  // accelerate gives every process one thread unless told; CPU processes share the cores between them.
  if (device === 'cpu') args.push('--num_cpu_threads_per_process', String(Math.max(1, Math.floor((opts.cpuCores ?? 1) / d.processes))));
  args.push('--module', 'hone_sidecar', ...(opts.sidecarArgs ?? []));
  return args;
}

/**
 * The cards the processes may see (all of them, in rank order), none for CPU processes, and no change for cards
 * named by size (`--vram-gb 24 --processes 2`: the machine's own first cards).
 */
export function launchEnv(d: DistributedPlan, device: 'cuda' | 'cpu'): Record<string, string> {
  if (device === 'cpu') return { CUDA_VISIBLE_DEVICES: '' };
  if (!d.gpu_indices.length) return {};
  // nvidia-smi numbers GPUs in PCI bus order; CUDA's own default order (fastest first) need not match it.
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: d.gpu_indices.join(',') };
}

/** A plan's process count: 1 without a distributed block. */
export const processCount = (d: DistributedPlan | null | undefined): number => (d ? d.processes * Math.max(1, d.nodes) : 1);

/**
 * The launch option of a run's sidecar (process.ts), or null for one process. A plan over several machines is
 * not started by Hone: each machine's command is printed for the user's scheduler (multiNodeLaunch).
 */
export function launchFor(plan: Pick<Plan, 'device' | 'distributed'>, configDir: string): { distributed: DistributedPlan; device: 'cuda' | 'cpu'; configDir: string } | null {
  const d = plan.distributed;
  if (!d || processCount(d) < 2) return null;
  if (d.nodes > 1) {
    throw new HoneError('BAD_CONFIG', `This plan trains on ${d.nodes} machines: Hone does not start processes on other machines.`, 'Print each machine\'s command with `hone train ... --nodes N --print-launch` and run them with your scheduler.');
  }
  return { distributed: d, device: plan.device, configDir };
}
