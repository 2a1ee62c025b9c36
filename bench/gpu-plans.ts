/**
 * The planner's peak-VRAM estimates for bench/gpu-check's configurations, written at prepare time (the GPU
 * machine may have no Node): `npx tsx bench/gpu-plans.ts ARCH.json > .whl/gpu-plans.json`. ARCH.json is
 * the bench model's shape (`python bench/gpu_check.py --print-arch`); the settings mirror gpu_check.py's.
 */
import fs from 'node:fs';
import type { ModelArchitecture } from '../electron/shared/types/model';
import { targetModulesFor } from '../electron/core/catalog/params';
import { CUDA_CONTEXT_GIB, estimateMemory } from '../electron/core/planner/memory';

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
process.stdout.write(`${JSON.stringify({ arch, cuda_context_gb: CUDA_CONTEXT_GIB, plans: out }, null, 2)}\n`);
