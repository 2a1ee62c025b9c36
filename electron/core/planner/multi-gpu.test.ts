/**
 * The planner over several processes (issue #15), against the memory model: DDP keeps the single card's plan on
 * every card (the plain path's estimate), FSDP's per-card figures are the model's numbers divided as sharding
 * divides them, the smallest card sets the budget, the effective batch counts every process and the learning
 * rate does not move.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Gpu, Hardware } from '../../shared/types/hardware';
import type { Plan } from '../../shared/types/plan';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { countParams } from '../catalog/params';
import { BF16_BYTES, estimateMemory, GIB, NF4_BYTES_PER_PARAM } from './memory';
import { computePlan, planOnce } from './plan';
import { severalOf, shardedEstimate, wrapClassFor } from './multi-gpu';
import { usableGb } from './margin';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;

function machine(cards: Partial<Gpu>[], opts: { several?: boolean; ramFreeMb?: number } = {}): Hardware {
  const gpus = cards.map((g, index) => ({ index, vendor: 'nvidia' as const, name: 'NVIDIA GeForce RTX 4090', vramTotalMb: 24564, vramFreeMb: 24000, driverVersion: '550.54.14', computeCapability: '8.9', cudaDriverVersion: '12.4', processes: [], ...g }));
  return {
    gpus,
    selectedGpu: gpus.length ? 0 : null,
    ...(opts.several !== false && gpus.length > 1 ? { selectedGpus: gpus.map((g) => g.index) } : {}),
    cpu: { brand: 'Ryzen 9 7950X', cores: 32, physicalCores: 16 },
    ramTotalMb: 262144,
    ramFreeMb: opts.ramFreeMb ?? 240000,
    os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
    disk: { path: '/data', freeMb: 500_000, totalMb: 1_000_000 },
    notices: [],
    backend: gpus.length ? 'cuda' : 'cpu',
  };
}
const cards = (n: number, g: Partial<Gpu> = {}) => Array.from({ length: n }, () => ({ ...g }));

/** The memory model's own figure for the settings a plan chose, on the plain path. */
function plainEstimate(p: Plan, modelId: string): number {
  return estimateMemory(byId(modelId), {
    method: p.method, maxSeqLength: p.max_seq_length, batchSize: p.batch_size, loraRank: p.lora_rank, targetModules: p.target_modules,
    gradientCheckpointing: p.gradient_checkpointing, optimizer: p.optimizer as 'adamw_8bit', objective: p.objective, device: 'cuda', backend: 'plain',
  }).totalGb;
}

test('DDP when the model fits one card: each card gets the single-card plan, N x the batch, the same learning rate', () => {
  const id = 'llama-3.1-8b-instruct';
  const hw = machine(cards(2));
  const p = computePlan({ hardware: hw, model: byId(id) });
  const one = planOnce({ hardware: machine(cards(1)), model: byId(id), engine: { backend: 'plain' } });
  assert.equal(p.fits, true);
  assert.deepEqual({ strategy: p.distributed?.strategy, processes: p.distributed?.processes, gpus: p.distributed?.gpu_indices, fsdp: p.distributed?.fsdp }, { strategy: 'ddp', processes: 2, gpus: [0, 1], fsdp: null });
  for (const k of ['method', 'batch_size', 'grad_accum', 'max_seq_length', 'lora_rank', 'optimizer', 'learning_rate', 'estimated_vram_gb'] as const) assert.equal(p[k], one[k], k);
  assert.equal(p.effective_batch, p.batch_size * p.grad_accum * 2);
  assert.ok(Math.abs(p.estimated_vram_gb - plainEstimate(p, id)) < 0.01, 'per card: the plain path\'s estimate (multi-GPU trains with plain transformers)');
  assert.equal(p.plain_estimated_vram_gb, p.estimated_vram_gb);
  assert.equal(p.distributed?.mixed_precision, 'bf16');
  assert.equal(p.gpu_index, 0);
  assert.match(p.why?.strategy ?? '', /^DDP over 2 GPUs \(0, 1\): the model fits one card, .*about 2x the throughput of one card at the same 20\.5 GB per card/);
  assert.match(p.why?.strategy ?? '', /Unsloth 2025\.11\.4 stops a run once more than one card holds memory/);
  assert.match(p.why?.batch ?? '', /= 16 sequences; the learning rate stays 0\.0002, as for one process/);
  assert.ok(!p.reasons.some((r) => /Unsloth's gradient checkpointing|Should Unsloth be unavailable/.test(r)), 'no Unsloth-only sentences in a plain-path plan');
});

test('FSDP when it does not: per-card weights and states are the memory model\'s divided by the processes', () => {
  const id = 'qwen2.5-14b-instruct';
  const hw = machine(cards(2, { vramFreeMb: 12000, vramTotalMb: 12288, name: 'NVIDIA GeForce RTX 3060' }));
  const p = computePlan({ hardware: hw, model: byId(id) });
  assert.equal(p.fits, true);
  assert.equal(p.distributed?.strategy, 'fsdp');
  assert.deepEqual(p.distributed?.fsdp, { sharding: 'FULL_SHARD', wrap: 'Qwen2DecoderLayer', offload_params: false });
  assert.equal(p.method, 'qlora', 'QLoRA where 16-bit shards do not fit');
  assert.equal(p.optimizer, 'adamw_torch');
  const single = planOnce({ hardware: machine(cards(1, { vramFreeMb: 12000 })), model: byId(id), engine: { backend: 'plain' } });
  assert.equal(single.fits, false, 'one card cannot hold it');
  // The per-card breakdown, rebuilt from the memory model.
  const a = byId(id);
  const whole = estimateMemory(a, { method: 'qlora', maxSeqLength: p.max_seq_length, batchSize: p.batch_size, loraRank: p.lora_rank, targetModules: p.target_modules, gradientCheckpointing: true, optimizer: 'adamw_torch', objective: 'sft', device: 'cuda', backend: 'plain' });
  const c = countParams(a);
  const root = ((c.embedding + c.lmHead) * BF16_BYTES) / GIB;
  const layer = (((c.linear + c.other) / a.layers) * NF4_BYTES_PER_PARAM) / GIB;
  assert.ok(Math.abs(p.breakdown.weightsGb - ((whole.weightsGb - root) / 2 + root + 2 * layer)) < 0.01, 'weights: half of the shards, the root unit and two layers gathered');
  assert.ok(Math.abs(p.breakdown.trainableGb - whole.trainableGb / 2) < 0.01, 'LoRA weights, gradients and AdamW states: half each');
  assert.ok(Math.abs(p.breakdown.activationsGb - whole.activationsGb) < 0.01, 'activations are per card, not sharded');
  assert.ok(p.estimated_vram_gb <= usableGb(p.vram_budget_gb, 'cuda') + 0.005);
  assert.match(p.why?.strategy ?? '', /^FSDP over 2 GPUs \(0, 1\): one card cannot hold this model \(even QLoRA needs 1\d\.\d GB against 11\.7 GB\), so each card holds 1\/2 of the weights, gradients and optimiser states/);
  assert.match(p.why?.optimizer ?? '', /sharded over the cards/);
});

test('70B on two 24 GB cards: FSDP with the shards in host RAM, 4-bit when 16-bit ones do not fit the RAM, refused when neither does', () => {
  const roomy = computePlan({ hardware: machine(cards(2), { ramFreeMb: 240000 }), model: byId('llama-3.1-70b-instruct') });
  assert.deepEqual([roomy.method, roomy.distributed?.strategy, roomy.distributed?.fsdp?.offload_params], ['lora', 'fsdp', true], '16-bit shards in 234 GB of RAM');
  const p = computePlan({ hardware: machine(cards(2), { ramFreeMb: 120000 }), model: byId('llama-3.1-70b-instruct') });
  assert.equal(p.fits, true);
  assert.deepEqual([p.method, p.distributed?.strategy, p.distributed?.fsdp?.offload_params, p.distributed?.fsdp?.wrap], ['qlora', 'fsdp', true, 'LlamaDecoderLayer']);
  assert.ok(p.breakdown.trainableGb === 0 && p.breakdown.weightsGb < 6, 'the cards hold the root unit and two gathered layers only');
  assert.match(p.why?.strategy ?? '', /stay in host RAM \(about 4\d\.\d GB on each machine\)/);
  const small = computePlan({ hardware: machine(cards(2), { ramFreeMb: 16000 }), model: byId('llama-3.1-70b-instruct') });
  assert.equal(small.fits, false);
  assert.ok(small.reasons.some((r) => /would fit the cards, but needs about 4\d\.\d GB of RAM and 15\.6 GB is free/.test(r)));
});

test('more cards never need more per card under FSDP; the run as a whole is sharded over every machine', () => {
  const a = byId('qwen2.5-32b-instruct');
  const s = { method: 'qlora' as const, maxSeqLength: 1024, batchSize: 1, loraRank: 16, targetModules: ['q_proj'], gradientCheckpointing: true, optimizer: 'adamw_8bit' as const, objective: 'sft' as const, device: 'cuda' as const };
  const per = [2, 4, 8].map((n) => shardedEstimate(n, false)(a, s).totalGb);
  assert.ok(per[0] > per[1] && per[1] > per[2], per.join(' > '));
  const twoNodes = computePlan({ hardware: null, model: a, overrides: { vramGb: 16, processes: 4, nodes: 2, method: 'lora' } });
  assert.equal(twoNodes.distributed?.nodes, 2);
  assert.equal(twoNodes.distributed?.strategy, 'fsdp');
  assert.equal(twoNodes.effective_batch, twoNodes.batch_size * twoNodes.grad_accum * 8);
  assert.ok(Math.abs(twoNodes.estimated_vram_gb - shardedEstimate(8, twoNodes.distributed!.fsdp!.offload_params)(a, { ...s, method: 'lora', maxSeqLength: twoNodes.max_seq_length, batchSize: twoNodes.batch_size, targetModules: twoNodes.target_modules }).totalGb) < 0.01);
  assert.match(twoNodes.reasons.join(' '), /Multi-node: Hone writes the accelerate config and the command for each of the 2 machines .* it does not start them itself/);
});

test('full fine-tuning over several cards shards the 16 bytes per parameter (ZeRO-3)', () => {
  const a = byId('qwen2.5-1.5b-instruct');
  const p = computePlan({ hardware: machine(cards(4, { vramFreeMb: 8000 })), model: a, overrides: { method: 'full' } });
  assert.equal(p.distributed?.strategy, 'fsdp');
  assert.equal(p.method, 'full');
  const whole = estimateMemory(a, { method: 'full', maxSeqLength: p.max_seq_length, batchSize: p.batch_size, loraRank: p.lora_rank, targetModules: p.target_modules, gradientCheckpointing: true, optimizer: 'adamw_torch', objective: 'sft', device: 'cuda', backend: 'plain' });
  if (!p.distributed?.fsdp?.offload_params) assert.ok(Math.abs(p.breakdown.trainableGb - whole.trainableGb / 4) < 0.01);
});

test('cards that differ: every process gets the smallest card\'s budget; a pre-Ampere card trains in fp16', () => {
  const hw = machine([{ vramFreeMb: 3020, name: 'NVIDIA GeForce RTX 3090', computeCapability: '8.6' }, { vramFreeMb: 24080 }]);
  const p = computePlan({ hardware: hw, model: byId('qwen2.5-0.5b-instruct') });
  assert.equal(p.vram_budget_gb, Math.round((3020 / 1024) * 100) / 100);
  assert.equal(p.distributed?.budget_per_process_gb, p.vram_budget_gb);
  assert.match(p.distributed?.reason ?? '', /the smallest card's budget \(GPU 0, NVIDIA GeForce RTX 3090, 2\.9 GB free\)/);
  const t4 = computePlan({ hardware: machine(cards(2, { name: 'Tesla T4', computeCapability: '7.5', vramFreeMb: 15000 })), model: byId('qwen2.5-1.5b-instruct') });
  assert.equal(t4.distributed?.mixed_precision, 'fp16');
});

test('CPU processes (how the multi-GPU path is tested without a GPU): DDP over gloo, the RAM shared', () => {
  const hw = machine([]);
  const p = computePlan({ hardware: hw, model: byId('smollm2-135m-instruct'), overrides: { processes: 2 } });
  assert.equal(p.device, 'cpu');
  assert.deepEqual([p.distributed?.strategy, p.distributed?.processes, p.distributed?.gpu_indices, p.distributed?.mixed_precision], ['ddp', 2, [], 'no']);
  assert.equal(p.vram_budget_gb, Math.round((240000 / 2 / 1024) * 100) / 100, 'each process plans with half the free RAM');
  assert.equal(p.effective_batch, p.batch_size * p.grad_accum * 2);
  assert.match(p.why?.strategy ?? '', /^2 CPU processes, data parallel \(DDP over gloo\): each process holds the whole model \(about [\d.]+ [MG]B\)/);
  assert.equal(computePlan({ hardware: hw, model: byId('smollm2-135m-instruct'), overrides: { processes: 1 } }).distributed, undefined);
});

test('which processes: --gpus, --processes, the Hardware step\'s cards; mistakes are refused with what to do', () => {
  const hw = machine(cards(3), { several: false });
  assert.equal(severalOf(hw, {}), null, 'one selected card: one process');
  assert.deepEqual((severalOf(hw, { gpus: [2, 0] }) as { gpus: Gpu[] }).gpus.map((g) => g.index), [2, 0]);
  assert.deepEqual((severalOf(hw, { processes: 2 }) as { gpus: Gpu[] }).gpus.map((g) => g.index), [0, 1]);
  assert.deepEqual((severalOf({ ...hw, selectedGpus: [1, 2] }, {}) as { gpus: Gpu[] }).gpus.map((g) => g.index), [1, 2]);
  assert.throws(() => severalOf(hw, { gpus: [0, 5] }), /There is no GPU 5/);
  assert.throws(() => severalOf(hw, { processes: 4 }), /4 processes, but this machine has 3 NVIDIA GPUs/);
  assert.throws(() => severalOf(hw, { gpus: [0, 1], processes: 3 }), /one process per card/);
  assert.throws(() => severalOf(hw, { gpus: [1, 1] }), /named twice/);
  const broken = machine([{}, { driverVersion: null }], { several: false });
  assert.throws(() => severalOf(broken, { gpus: [0, 1] }), /cannot train on/);
});

test('the FSDP wrap class is the architecture\'s decoder layer', () => {
  assert.equal(wrapClassFor('LlamaForCausalLM'), 'LlamaDecoderLayer');
  assert.equal(wrapClassFor('Qwen2ForCausalLM'), 'Qwen2DecoderLayer');
  assert.equal(wrapClassFor('Gemma3ForConditionalGeneration'), 'Gemma3DecoderLayer');
  assert.equal(wrapClassFor('Phi3ForCausalLM'), 'Phi3DecoderLayer');
});
