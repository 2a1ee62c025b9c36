/**
 * The planner's peak-VRAM estimates for bench/gpu-check's configurations, written at prepare time (the GPU
 * machine may have no Node): `npx tsx bench/gpu-plans.ts ARCH.json > .whl/gpu-plans.json`. ARCH.json is
 * the bench model's shape (`python bench/gpu_check.py --print-arch`); the settings mirror gpu_check.py's.
 */
import fs from 'node:fs';
import type { ModelArchitecture } from '../electron/shared/types/model';
import { targetModulesFor } from '../electron/core/catalog/params';
import { CUDA_CONTEXT_GIB, estimateMemory } from '../electron/core/planner/memory';
import { shardedEstimate } from '../electron/core/planner/multi-gpu';
import { accelerateConfig } from '../electron/core/sidecar/launch';
import type { DistributedPlan } from '../electron/shared/types/plan';

interface BenchArch extends ModelArchitecture {
  seq: number;
  batch: number;
  rank: number;
}

const arch = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as BenchArch;
const out: Record<string, { estimated_vram_gb: number; without_cuda_context_gb: number }> = {};
for (const backend of ['unsloth', 'plain'] as const) {
  for (const method of ['qlora', 'lora'] as const) {
    const e = estimateMemory(arch, {
      method,
      maxSeqLength: arch.seq,
      batchSize: arch.batch,
      loraRank: arch.rank,
      targetModules: targetModulesFor(arch),
      gradientCheckpointing: true,
      optimizer: 'adamw_8bit',
      objective: 'sft',
      device: 'cuda',
      backend,
    });
    out[`${backend}-${method}`] = { estimated_vram_gb: e.totalGb, without_cuda_context_gb: e.totalGb - CUDA_CONTEXT_GIB };
  }
}
// Two GPUs (issue #15): FSDP's per-card estimate for QLoRA, and the accelerate configs the app would write.
const settings = { method: 'qlora' as const, maxSeqLength: arch.seq, batchSize: arch.batch, loraRank: arch.rank, targetModules: targetModulesFor(arch), gradientCheckpointing: true, optimizer: 'adamw_torch' as const, objective: 'sft' as const, device: 'cuda' as const };
const fsdp2 = shardedEstimate(2, false)(arch, settings).totalGb;
out['plain-qlora-fsdp2'] = { estimated_vram_gb: fsdp2, without_cuda_context_gb: fsdp2 - CUDA_CONTEXT_GIB };
const ddp: DistributedPlan = { strategy: 'ddp', processes: 2, nodes: 1, gpu_indices: [0, 1], backend: 'plain', mixed_precision: 'bf16', fsdp: null, budget_per_process_gb: 0, reason: 'bench' };
const launch = { ddp: accelerateConfig(ddp), fsdp: accelerateConfig({ ...ddp, strategy: 'fsdp', fsdp: { sharding: 'FULL_SHARD', wrap: 'LlamaDecoderLayer', offload_params: false } }) };
process.stdout.write(`${JSON.stringify({ arch, cuda_context_gb: CUDA_CONTEXT_GIB, plans: out, launch }, null, 2)}\n`);
