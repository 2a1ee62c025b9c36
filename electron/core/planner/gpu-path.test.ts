/**
 * What the planner and the run start hand the GPU path (issue #12): the GPU to train on (#3), LoRA targets
 * by architecture (#5), the plain backend's own estimate for the fallback (#8), and the figures the sidecar
 * gets to make those decisions.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Gpu, Hardware } from '../../shared/types/hardware';
import type { RunConfig } from '../../shared/types/runs';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { loraParams } from '../catalog/params';
import { validateRunConfig } from '../runs/validate';
import { gpuFor, sidecarEnv } from '../sidecar/env';
import { toSidecarConfig } from '../sidecar/config';
import { estimateMemory } from './memory';
import { computePlan } from './plan';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;

function twoGpus(selected: number): Hardware {
  const gpu = (index: number, name: string, freeMb: number): Gpu => ({ index, vendor: 'nvidia', name, vramTotalMb: 24564, vramFreeMb: freeMb, driverVersion: '570.1', computeCapability: '8.9', cudaDriverVersion: '12.8', processes: [] });
  return {
    gpus: [gpu(0, 'NVIDIA GeForce RTX 3090', 24000), gpu(1, 'NVIDIA GeForce RTX 4090', 23000)],
    selectedGpu: selected,
    cpu: { brand: 'x', cores: 16, physicalCores: 8 },
    ramTotalMb: 65536,
    ramFreeMb: 60000,
    os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
    disk: { path: '/data', freeMb: 500_000, totalMb: 1_000_000 },
    notices: [],
    backend: 'cuda',
  };
}

test('#3 the plan names the chosen GPU and the sidecar sees only that one, in nvidia-smi order', () => {
  const plan = computePlan({ hardware: twoGpus(1), model: byId('llama-3.2-1b-instruct') });
  assert.equal(plan.gpu_index, 1);
  const env = sidecarEnv({ pythonRuntimeDir: '/rt', base: { PATH: '/bin', CUDA_VISIBLE_DEVICES: '0,1' }, gpu: gpuFor(plan) });
  assert.equal(env.CUDA_VISIBLE_DEVICES, '1');
  assert.equal(env.CUDA_DEVICE_ORDER, 'PCI_BUS_ID');
  // A CPU plan was sized for fp32 on the CPU: the sidecar sees no GPU at all.
  const cpu = computePlan({ hardware: null, model: byId('smollm2-135m-instruct') });
  assert.equal(cpu.gpu_index, null);
  assert.equal(sidecarEnv({ pythonRuntimeDir: '/rt', base: {}, gpu: gpuFor(cpu) }).CUDA_VISIBLE_DEVICES, '');
  // A plan for a card named by size changes nothing.
  const sized = computePlan({ hardware: null, model: byId('llama-3.2-1b-instruct'), overrides: { vramGb: 24 } });
  assert.equal(gpuFor(sized), null);
  assert.equal(sidecarEnv({ pythonRuntimeDir: '/rt', base: { CUDA_VISIBLE_DEVICES: '2' }, gpu: gpuFor(sized) }).CUDA_VISIBLE_DEVICES, '2');
});

test('#3 a gpu_index from the wire that is not a whole number is refused before it reaches the environment', () => {
  const plan = computePlan({ hardware: twoGpus(0), model: byId('llama-3.2-1b-instruct') });
  const config = (gpu_index: unknown) => ({ model: 'llama-3.2-1b-instruct', dataset: '/d.jsonl', objective: 'sft', plan: { ...plan, gpu_index } });
  assert.equal(validateRunConfig(config(0)).plan.gpu_index, 0);
  for (const bad of ['0; rm -rf ~', -1, 1.5, '1']) assert.throws(() => validateRunConfig(config(bad)), /plan\.gpu_index/);
  assert.equal(gpuFor({ device: 'cuda', gpu_index: '1' as unknown as number }), null);
});

test('#5 Phi models get their fused projections, Gemma 3 the language model only, with the count the sidecar checks', () => {
  for (const id of ['phi-3.5-mini-instruct', 'phi-4-mini-instruct']) {
    const m = byId(id);
    const plan = computePlan({ hardware: null, model: m, overrides: { vramGb: 24 } });
    assert.deepEqual(plan.target_modules, ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj'], id);
    const hd = m.hiddenSize / m.heads;
    const perLayer = plan.lora_rank * (m.hiddenSize + (m.heads + 2 * m.kvHeads) * hd) + plan.lora_rank * (m.heads * hd + m.hiddenSize) + plan.lora_rank * (m.hiddenSize + 2 * m.intermediateSize) + plan.lora_rank * (m.intermediateSize + m.hiddenSize);
    assert.equal(plan.lora_trainable_params, perLayer * m.layers, id);
    // The defect: Llama names on Phi match only o_proj and down_proj.
    assert.ok(loraParams(m, 16, ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']) < 0.5 * plan.lora_trainable_params!);
    assert.match(plan.why!.lora!, /qkv, o, gate_up, down/);
  }
  const gemma = computePlan({ hardware: null, model: byId('gemma-3-4b-it'), overrides: { vramGb: 24 } });
  assert.deepEqual(gemma.target_modules, ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']);
  assert.match(gemma.why!.lora!, /language model \(not the vision tower\)/);
  const full = computePlan({ hardware: null, model: byId('smollm2-135m-instruct'), overrides: { method: 'full' } });
  assert.equal(full.lora_trainable_params, 0);
});

test('#8 the plain backend has its own, larger estimate; the plan says what a fallback would need', () => {
  const llama = byId('llama-3.1-8b-instruct');
  const s = { method: 'qlora' as const, maxSeqLength: 2048, batchSize: 2, loraRank: 16, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], gradientCheckpointing: true, optimizer: 'adamw_8bit' as const, objective: 'sft' as const, device: 'cuda' as const };
  const unsloth = estimateMemory(llama, s);
  const plain = estimateMemory(llama, { ...s, backend: 'plain' });
  // fp32 logits and their gradient (8 bytes) instead of Unsloth's 2, for 2 x 2048 tokens x 128256 entries...
  const logits = (2 * 2048 * 128256 * 6) / 2 ** 30;
  // ...and a checkpoint per layer kept on the GPU instead of two in flight.
  const checkpoints = (30 * 2 * 2048 * 4096 * 2) / 2 ** 30;
  assert.ok(Math.abs(plain.activationsGb - unsloth.activationsGb - logits - checkpoints) < 0.01, `${plain.activationsGb} vs ${unsloth.activationsGb}`);
  assert.equal(plain.weightsGb, unsloth.weightsGb);

  const roomy = computePlan({ hardware: null, model: llama, overrides: { vramGb: 24, method: 'qlora' } });
  assert.ok(roomy.plain_estimated_vram_gb! > roomy.estimated_vram_gb);
  assert.ok(roomy.reasons.some((r) => /Should Unsloth be unavailable.*it fits/.test(r)));
  const tight = computePlan({ hardware: null, model: llama, overrides: { vramGb: 8, method: 'qlora' } });
  assert.ok(tight.fits && tight.plain_estimated_vram_gb! > 8, `${tight.estimated_vram_gb} / ${tight.plain_estimated_vram_gb}`);
  assert.ok(tight.reasons.some((r) => /would stop and say so/.test(r)));
});

test('the sidecar config carries the plan figures its decisions need (and none for a CPU plan)', () => {
  const plan = computePlan({ hardware: twoGpus(0), model: byId('phi-3.5-mini-instruct') });
  const run = { model: 'phi-3.5-mini-instruct', dataset: '/d.jsonl', objective: 'sft', plan } as RunConfig;
  const c = toSidecarConfig(plan, run, { modelPath: '/m', outputDir: '/o' });
  assert.equal(c.estimated_vram_gb, plan.estimated_vram_gb);
  assert.equal(c.plain_estimated_vram_gb, plan.plain_estimated_vram_gb);
  assert.equal(c.vram_budget_gb, plan.vram_budget_gb);
  assert.equal(c.planned_trainable_params, plan.lora_trainable_params);
  assert.deepEqual(c.target_modules, ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
  const cpu = computePlan({ hardware: null, model: byId('smollm2-135m-instruct') });
  const cc = toSidecarConfig(cpu, { ...run, plan: cpu }, { modelPath: '/m', outputDir: '/o' });
  assert.equal(cc.estimated_vram_gb, null);
  assert.equal(cc.plain_estimated_vram_gb, null);
  assert.equal(cc.planned_trainable_params, cpu.lora_trainable_params);
  // A plan stored before these fields existed: the sidecar skips those checks.
  const { lora_trainable_params: _a, plain_estimated_vram_gb: _b, ...old } = plan;
  const oc = toSidecarConfig(old, { ...run, plan: old }, { modelPath: '/m', outputDir: '/o' });
  assert.equal(oc.planned_trainable_params, null);
  assert.equal(oc.plain_estimated_vram_gb, null);
});
