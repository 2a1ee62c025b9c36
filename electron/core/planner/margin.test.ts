/**
 * Plans keep a margin (issue #16): no plan fits above budget - max(0.5 GB, 5%), whatever the card, model or
 * override; a plan from the wire above it is refused at run start; Unsloth's higher minimum is named.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { PlanOverrides } from '../../shared/types/plan';
import { REPO_ROOT } from '../paths';
import { loadCatalog } from '../catalog/catalog';
import { validateRunConfig } from '../runs/validate';
import { marginGb, usableGb } from './margin';
import { computePlan } from './plan';

const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
const byId = (id: string) => catalogue.find((m) => m.id === id)!;

test('the margin: max(0.5 GB, 5%) of a GPU budget, 5% of a CPU one', () => {
  assert.equal(marginGb(8, 'cuda'), 0.5);
  assert.equal(marginGb(10, 'cuda'), 0.5);
  assert.ok(Math.abs(marginGb(24, 'cuda') - 1.2) < 1e-12);
  assert.ok(Math.abs(marginGb(80, 'cuda') - 4) < 1e-12);
  assert.ok(Math.abs(usableGb(2, 'cpu') - 1.9) < 1e-12);
  assert.equal(usableGb(0.3, 'cuda'), 0);
});

test('no plan is accepted above the budget less its margin, for any catalogue model, card or override', () => {
  const cards = [4, 6, 7.5, 8, 10, 11, 12, 12.5, 16, 20, 24, 31.5, 40, 48, 80];
  const overrides: PlanOverrides[] = [{}, { method: 'qlora' }, { method: 'lora' }, { batchSize: 4 }, { maxSeqLength: 4096 }, { objective: 'dpo' }, { gradientCheckpointing: false }];
  let accepted = 0;
  for (const model of catalogue) {
    for (const gb of cards) {
      for (const o of overrides) {
        const p = computePlan({ hardware: null, model, overrides: { ...o, vramGb: gb } });
        if (!p.fits) continue;
        accepted++;
        const where = `${model.id} on ${gb} GB with ${JSON.stringify(o)}`;
        assert.ok(p.estimated_vram_gb <= usableGb(gb, 'cuda') + 0.005, `${where}: ${p.estimated_vram_gb} GB above ${usableGb(gb, 'cuda')}`);
        assert.ok(Math.abs(p.margin_gb! - marginGb(gb, 'cuda')) < 0.006, `${where}: margin_gb`);
        assert.match(p.reasons.join('\n'), /a safety margin of [\d.]+ GB \(max\(0\.5 GB, 5%\) of the [\d.]+ GB budget\) is kept free/, where);
      }
    }
  }
  assert.ok(accepted > 500, `only ${accepted} plans fitted: the test would prove little`);
});

test('Qwen2.5 32B on a 24 GB card: within the margin, and Unsloth\'s higher minimum is named for the memory check to settle', () => {
  const p = computePlan({ hardware: null, model: byId('qwen2.5-32b-instruct'), overrides: { vramGb: 24 }, catalogue });
  assert.equal(p.fits, true);
  assert.equal(p.method, 'qlora');
  assert.ok(p.estimated_vram_gb <= 22.8, `${p.estimated_vram_gb} GB leaves less than the 1.2 GB margin`);
  assert.match(p.reasons.join('\n'), /Unsloth publishes 26 GB as the minimum for 32B models with QLoRA .* the memory check at the start of the run measures the real peak/);
  // Where our estimate is not below Unsloth's, nothing is said.
  const small = computePlan({ hardware: null, model: byId('llama-3.2-1b-instruct'), overrides: { vramGb: 24 } });
  assert.doesNotMatch(small.reasons.join('\n'), /Unsloth publishes/);
  // A CPU plan keeps 5% of the RAM it plans against.
  const cpu = computePlan({ hardware: null, model: byId('smollm2-135m-instruct') });
  assert.equal(cpu.device, 'cpu');
  assert.match(cpu.reasons.join('\n'), /a safety margin of [\d.]+ GB \(5% of the/);
});

test('run start refuses a plan above its margin, however it was made', () => {
  const plan = computePlan({ hardware: null, model: byId('llama-3.1-8b-instruct'), overrides: { vramGb: 16 } });
  const config = (p: typeof plan) => ({ model: 'llama-3.1-8b-instruct', dataset: '/d.jsonl', objective: 'sft', plan: p });
  assert.equal(validateRunConfig(config(plan)).plan.batch_size, plan.batch_size);
  // Tampered (or stale): the estimate within the budget but inside its 0.8 GB margin, and fits still true.
  assert.throws(() => validateRunConfig(config({ ...plan, estimated_vram_gb: 15.5 })), (e: Error & { code?: string }) => e.code === 'DOES_NOT_FIT' && /more than the 15\.2 GB a plan may use of the 16 GB free/.test(e.message));
  assert.throws(() => validateRunConfig({ ...config(plan), memoryCheck: { budgetGb: -1 } }), /memoryCheck\.budgetGb/);
  assert.throws(() => validateRunConfig({ ...config(plan), memoryCheck: { allowTruncation: 'yes' } }), /memoryCheck\.allowTruncation/);
  assert.ok(validateRunConfig({ ...config(plan), memoryCheck: { budgetGb: 12, allowTruncation: true } }));
});
