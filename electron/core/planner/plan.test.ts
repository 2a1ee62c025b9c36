import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Gpu, Hardware } from '../../shared/types/hardware';
import type { TrainingMethod } from '../../shared/types/plan';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { computePlan } from './plan';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;
const CARDS = [8, 12, 16, 24, 48, 80];
const RANK: Record<TrainingMethod, number> = { qlora: 0, lora: 1, full: 2 };

function machine(gpus: Partial<Gpu>[], selected: number | null = gpus.length ? 0 : null): Hardware {
  return {
    gpus: gpus.map((g, index) => ({ index, vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090', vramTotalMb: 24564, vramFreeMb: 24000, driverVersion: '550.54.14', computeCapability: '8.9', cudaDriverVersion: '12.4', processes: [], ...g })),
    selectedGpu: selected,
    cpu: { brand: 'Ryzen 9 7950X', cores: 32, physicalCores: 16 },
    ramTotalMb: 65536,
    ramFreeMb: 60000,
    os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
    disk: { path: '/data', freeMb: 500_000, totalMb: 1_000_000 },
    notices: [],
    backend: selected === null ? 'cpu' : 'cuda',
  };
}

test('every catalogue model on 8-80 GB cards follows the policy', () => {
  for (const model of catalogue) {
    let prev: TrainingMethod | null = null;
    for (const gb of CARDS) {
      const p = computePlan({ hardware: null, model, overrides: { vramGb: gb }, catalogue });
      const where = `${model.id} on ${gb} GB`;
      assert.ok(p.reasons.length >= 6 && p.reasons.every((r) => r.length > 10), `${where}: reasons`);
      for (const k of ['method', 'max_seq_length', 'batch', 'lora', 'gradient_checkpointing', 'optimizer'] as const) assert.ok(p.why?.[k] && p.reasons.some((r) => p.why![k]!.includes(r)), `${where}: why.${k}`);
      assert.equal(p.device, 'cuda');
      assert.equal(p.vram_budget_gb, gb);
      assert.notEqual(p.method, 'full', `${where}: full fine-tuning only when asked`);
      assert.equal(p.load_in_4bit, p.method === 'qlora');
      if (p.fits) {
        assert.ok(p.estimated_vram_gb <= gb, `${where}: fits with ${p.estimated_vram_gb} GB`);
        if (p.method === 'lora') assert.ok(p.estimated_vram_gb <= 0.9 * gb + 0.01, `${where}: LoRA without 10% headroom`);
        const parts = p.breakdown.weightsGb + p.breakdown.trainableGb + p.breakdown.activationsGb + p.breakdown.overheadGb;
        assert.ok(Math.abs(parts - p.estimated_vram_gb) < 0.03, `${where}: breakdown adds up`);
        assert.equal(p.effective_batch, p.batch_size * p.grad_accum);
        assert.ok(p.effective_batch >= 8, `${where}: effective batch kept`);
        if (prev) assert.ok(RANK[p.method] >= RANK[prev], `${where}: more VRAM gave a worse method (${prev} -> ${p.method})`);
        prev = p.method;
      } else {
        assert.equal(prev, null, `${where}: fitted on a smaller card`);
        assert.ok(p.estimated_vram_gb > gb - p.margin_gb!, `${where}: refused within the margin`);
        assert.ok(p.suggestion, `${where}: no suggestion`);
        const s = computePlan({ hardware: null, model: byId(p.suggestion.modelId), overrides: { vramGb: gb } });
        assert.ok(s.fits, `${where}: the suggestion ${p.suggestion.modelId} does not fit`);
        const bigger = catalogue.filter((m) => m.paramsB > byId(p.suggestion!.modelId).paramsB && m.id !== model.id);
        for (const m of bigger) assert.ok(!computePlan({ hardware: null, model: m, overrides: { vramGb: gb } }).fits, `${where}: ${m.id} fits and is larger than the suggestion`);
      }
    }
  }
});

test('well-known cases land where people expect them', () => {
  const plan = (id: string, gb: number) => computePlan({ hardware: null, model: byId(id), overrides: { vramGb: gb }, catalogue });
  assert.equal(plan('llama-3.1-8b-instruct', 24).method, 'lora');
  assert.equal(plan('llama-3.1-8b-instruct', 16).method, 'qlora');
  assert.equal(plan('llama-3.1-8b-instruct', 8).fits, true);
  assert.equal(plan('llama-3.2-1b-instruct', 8).method, 'lora');
  assert.equal(plan('qwen2.5-14b-instruct', 16).method, 'qlora');
  assert.equal(plan('llama-3.1-70b-instruct', 48).method, 'qlora');
  const refused = plan('llama-3.1-70b-instruct', 24);
  assert.equal(refused.fits, false);
  assert.equal(refused.suggestion?.modelId, 'qwen2.5-32b-instruct');
  assert.match(refused.reasons.join('\n'), /Does not fit.*\n[\s\S]*largest catalogue model that fits: Qwen2.5 32B/);
});

test('a dataset of short rows gives a shorter max_seq_length and a cheaper plan', () => {
  const model = byId('llama-3.1-8b-instruct');
  const none = computePlan({ hardware: null, model, overrides: { vramGb: 12 } });
  const short = computePlan({ hardware: null, model, overrides: { vramGb: 12 }, datasetStats: { rows: 500, meanTokens: 180, p95Tokens: 320, maxTokens: 410 } });
  assert.equal(none.max_seq_length, 2048);
  assert.equal(short.max_seq_length, 512);
  assert.ok(short.estimated_vram_gb < none.estimated_vram_gb);
  assert.match(short.reasons.join('\n'), /longest row has 410 tokens/);
  // On an 8 GB card the long default needs a smaller batch; short rows keep Unsloth's batch of 2.
  const tight = computePlan({ hardware: null, model, overrides: { vramGb: 8 } });
  const tightShort = computePlan({ hardware: null, model, overrides: { vramGb: 8 }, datasetStats: { rows: 500, meanTokens: 180, p95Tokens: 320, maxTokens: 410 } });
  assert.ok(tightShort.batch_size > tight.batch_size || tightShort.max_seq_length > tight.max_seq_length || tightShort.estimated_vram_gb < tight.estimated_vram_gb);
  // A few very long rows: cover the 95th percentile and say the rest are truncated.
  const outliers = computePlan({ hardware: null, model, overrides: { vramGb: 24 }, datasetStats: { rows: 1000, meanTokens: 400, p95Tokens: 900, maxTokens: 30000 } });
  assert.equal(outliers.max_seq_length, 1024);
  assert.match(outliers.reasons.join('\n'), /95% of your rows.*truncated/);
});

test('shrinks the batch, then the sequence, before giving up; never shortens what the user fixed', () => {
  const model = byId('qwen2.5-14b-instruct');
  const p = computePlan({ hardware: null, model, overrides: { vramGb: 12.5 } });
  assert.equal(p.fits, true);
  assert.equal(p.batch_size, 1);
  assert.equal(p.grad_accum, 8);
  assert.ok(p.max_seq_length < 2048);
  assert.match(p.reasons.join('\n'), /cut from 2048 to \d+ tokens to fit/);
  const fixed = computePlan({ hardware: null, model, overrides: { vramGb: 12.5, maxSeqLength: 4096 } });
  assert.equal(fixed.max_seq_length, 4096);
  assert.equal(fixed.fits, false);
  assert.match(fixed.reasons.join('\n'), /the one you set is kept/);
});

test('overrides: method, batch, accumulation, rank, checkpointing, objective', () => {
  const model = byId('llama-3.2-3b-instruct');
  const q = computePlan({ hardware: null, model, overrides: { vramGb: 80, method: 'qlora', batchSize: 4, gradAccum: 3, loraRank: 64, gradientCheckpointing: false } });
  assert.deepEqual([q.method, q.load_in_4bit, q.batch_size, q.grad_accum, q.effective_batch, q.lora_rank, q.lora_alpha, q.gradient_checkpointing], ['qlora', true, 4, 3, 12, 64, 64, false]);
  assert.match(q.reasons.join('\n'), /as asked/);
  const full = computePlan({ hardware: null, model, overrides: { vramGb: 80, method: 'full' } });
  assert.equal(full.method, 'full');
  assert.equal(full.fits, true);
  assert.equal(full.optimizer, 'adamw_torch');
  assert.equal(full.learning_rate, 2e-5);
  const fullTooBig = computePlan({ hardware: null, model: byId('llama-3.1-8b-instruct'), overrides: { vramGb: 24, method: 'full' }, catalogue });
  assert.equal(fullTooBig.fits, false);
  assert.equal(fullTooBig.method, 'full');
  const dpo = computePlan({ hardware: null, model, overrides: { vramGb: 24, objective: 'dpo' } });
  const sft = computePlan({ hardware: null, model, overrides: { vramGb: 24 } });
  assert.equal(dpo.objective, 'dpo');
  assert.equal(dpo.learning_rate, 5e-6);
  assert.ok(dpo.breakdown.activationsGb > sft.breakdown.activationsGb);
  assert.match(dpo.reasons.join('\n'), /adapter switched off/);
  const gemma = computePlan({ hardware: null, model: byId('gemma-2-2b-it'), overrides: { vramGb: 24, maxSeqLength: 32768 } });
  assert.equal(gemma.max_seq_length, 8192);
});

test('plans against the selected GPU\'s free VRAM and names what holds the rest', () => {
  const hw = machine([{ name: 'NVIDIA GeForce RTX 3060', vramTotalMb: 12288, vramFreeMb: 9216, processes: [{ pid: 1, name: 'firefox', usedMb: 2048 }, { pid: 2, name: 'Xorg', usedMb: 900 }] }]);
  const p = computePlan({ hardware: hw, model: byId('llama-3.1-8b-instruct') });
  assert.equal(p.vram_budget_gb, 9);
  assert.match(p.reasons[0], /9\.0 GB free of 12\.0 GB on NVIDIA GeForce RTX 3060: other programs hold 3\.0 GB \(firefox 2048 MB, Xorg 900 MB\)/);
  const t4 = computePlan({ hardware: machine([{ name: 'Tesla T4', vramTotalMb: 15360, vramFreeMb: 14900, computeCapability: '7.5' }]), model: byId('llama-3.2-1b-instruct') });
  assert.match(t4.reasons.join('\n'), /Tesla T4 \(compute capability 7\.5\) has no bfloat16/);
  const second = computePlan({ hardware: machine([{ vramTotalMb: 8192, vramFreeMb: 8000 }, { name: 'NVIDIA A100-SXM4-80GB', vramTotalMb: 81920, vramFreeMb: 81000 }], 1), model: byId('qwen2.5-32b-instruct') });
  assert.equal(second.method, 'lora');
});

const STYLE = { rows: 156, meanTokens: 79, p95Tokens: 86, maxTokens: 93 };
const MEASURED = { flopsPerSecond: 120e9, measured: true, how: 'test figure' };

test('CPU only: the demo plans by time, with its ETA and why; the demo settings learn the style in one short run', () => {
  const cpu = machine([], null);
  const demo = computePlan({ hardware: cpu, model: byId('smollm2-135m-instruct'), datasetStats: STYLE, overrides: { maxSteps: 40 }, catalogue, cpuSpeed: MEASURED });
  assert.deepEqual([demo.device, demo.fits, demo.method, demo.load_in_4bit, demo.optimizer], ['cpu', true, 'lora', false, 'adamw_torch']);
  assert.equal(demo.learning_rate, 1e-3);
  assert.equal(demo.effective_batch, 4);
  assert.ok(demo.eta, 'a CPU plan with a dataset has an ETA');
  assert.equal(demo.eta.steps, 40);
  assert.equal(demo.eta.measured, true);
  // 40 steps x 4 rows, padded a little towards the longer rows of each micro-batch.
  assert.ok(demo.eta.tokens >= 40 * 4 * 79 && demo.eta.tokens <= 40 * 4 * 86, `${demo.eta.tokens} tokens`);
  assert.ok(demo.eta.seconds > 60 && demo.eta.seconds < 10 * 60, `${demo.eta.seconds} s`);
  assert.match(demo.why!.eta!, /^About \d+ (s|min) on this CPU: 40 steps, 4 rows each ≈ [\d,]+ tokens x \d+ MFLOP per token .* at 120 GFLOP\/s \(measured on this machine: test figure\)/);
  assert.match(demo.reasons[0], /No NVIDIA GPU: training runs on the CPU .* the time estimate says how long/);
  // Without a dataset there is nothing to time, and nothing is refused for it.
  const noData = computePlan({ hardware: cpu, model: byId('smollm2-1.7b-instruct'), catalogue, cpuSpeed: MEASURED });
  assert.equal(noData.eta, null);
  assert.equal(noData.fits, true);
  assert.match(noData.why!.eta!, /choose a dataset/);
  // Not measured yet: a stated default, named as such.
  const unmeasured = computePlan({ hardware: cpu, model: byId('smollm2-135m-instruct'), datasetStats: STYLE, catalogue });
  assert.equal(unmeasured.eta?.measured, false);
  assert.equal(unmeasured.eta?.flopsPerSecond, 16 * 30e9, 'the default per physical core');
  assert.match(unmeasured.why!.eta!, /not measured yet; assumed 30 GFLOP\/s per core for 16 cores/);
  const asked4bit = computePlan({ hardware: cpu, model: byId('smollm2-135m-instruct'), overrides: { method: 'qlora' } });
  assert.equal(asked4bit.method, 'lora');
  assert.match(asked4bit.reasons.join('\n'), /QLoRA needs CUDA/);
});

test('CPU only: real models train when the ETA is under 8 h; past it, refused with what would bring it under', () => {
  const cpu = machine([], null);
  const data = { rows: 2000, meanTokens: 400, p95Tokens: 900, maxTokens: 1800 };
  const small = computePlan({ hardware: cpu, model: byId('smollm2-360m-instruct'), datasetStats: data, overrides: { maxSteps: 100 }, catalogue, cpuSpeed: MEASURED });
  assert.equal(small.fits, true);
  assert.ok(small.eta && small.eta.seconds < 8 * 3600);
  assert.equal(small.learning_rate, 2e-4, 'real models keep LoRA\'s usual rate');
  const big = computePlan({ hardware: cpu, model: byId('qwen2.5-7b-instruct'), datasetStats: data, catalogue, cpuSpeed: MEASURED });
  assert.equal(big.fits, false);
  assert.ok(big.eta && big.eta.seconds > 8 * 3600);
  const why = big.why!.eta!;
  assert.match(why, /^About \d+(\.\d)? (h|days) on this CPU, more than the 8 h Hone plans for: /);
  const steps = Number(why.match(/at most ([\d,]+) steps/)?.[1].replace(/,/g, ''));
  assert.ok(steps >= 1 && steps < big.eta.steps, `suggests fewer steps (${steps} of ${big.eta.steps})`);
  assert.match(why, /or an NVIDIA GPU \(plan for one with a card size\)\.$/);
  // What it suggests does fit: the same plan with that many steps comes in under 8 h.
  const fewer = computePlan({ hardware: cpu, model: byId('qwen2.5-7b-instruct'), datasetStats: data, overrides: { maxSteps: steps }, cpuSpeed: MEASURED });
  assert.ok(fewer.fits && fewer.eta!.seconds <= 8 * 3600, `${steps} steps: ${fewer.eta!.seconds} s`);
  // The largest catalogue model that trains here in time is suggested, and nothing larger would.
  assert.ok(big.suggestion, 'a suggestion');
  const suggested = byId(big.suggestion.modelId);
  assert.ok(computePlan({ hardware: cpu, model: suggested, datasetStats: data, cpuSpeed: MEASURED }).fits);
  assert.match(big.reasons.join('\n'), new RegExp(`largest catalogue model that trains here in under 8 h: ${suggested.name.replace(/[.()]/g, '\\$&')}`));
  for (const m of catalogue.filter((x) => x.paramsB > suggested.paramsB && x.id !== 'qwen2.5-7b-instruct')) {
    assert.ok(!computePlan({ hardware: cpu, model: m, datasetStats: data, cpuSpeed: MEASURED }).fits, `${m.id} would fit and is larger`);
  }
  // --vram-gb plans for a card this machine does not have.
  const planned = computePlan({ hardware: cpu, model: byId('qwen2.5-7b-instruct'), overrides: { vramGb: 24 } });
  assert.equal(planned.device, 'cuda');
  assert.equal(planned.fits, true);
  assert.equal(planned.eta, null);
});
