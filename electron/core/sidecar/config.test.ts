import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { RunConfig } from '../../shared/types/runs';
import { REPO_ROOT } from '../paths';
import { toSidecarConfig } from './config';
import { loadCatalog } from '../catalog/catalog';
import { computePlan } from '../planner/plan';
import { protocolValidators } from './schema';

const v = protocolValidators(path.join(REPO_ROOT, 'python-runtime'));
const catalogue = loadCatalog(path.join(REPO_ROOT, 'resources'));
/** The planner's own answer for a catalogue model; no hardware means the CPU. */
const planFor = (id: string, objective: 'sft' | 'dpo', vramGb?: number) => computePlan({ hardware: null, model: catalogue.find((m) => m.id === id)!, overrides: { objective, vramGb } });

test('a Plan + RunConfig maps to a run config the sidecar\'s schema accepts, overrides winning over the plan', () => {
  const plan = { ...planFor('llama-3.2-1b-instruct', 'sft', 24), method: 'qlora' as const, load_in_4bit: true, optimizer: 'adamw_8bit' };
  assert.equal(plan.device, 'cuda');
  const config: RunConfig = { model: 'llama-3.2-1b-instruct', dataset: '/d/train.jsonl', evalDataset: '/d/eval.jsonl', objective: 'sft', plan, maxSteps: 60, learningRate: 1e-4, seed: 7, saveSteps: 20, evalSteps: 10, mergeOnFinish: true };
  const out = toSidecarConfig(plan, config, { modelPath: '/models/llama', outputDir: '/runs/1', resumeFrom: 'latest' });
  assert.ok(v.runConfig(out), JSON.stringify(v.runConfig.errors));
  assert.deepEqual(
    { model: out.model_path, data: out.dataset_path, eval: out.eval_dataset_path, method: out.method, q: out.load_in_4bit, lr: out.learning_rate, steps: out.max_steps, epochs: out.epochs, seed: out.seed, save: out.save_steps, evalSteps: out.eval_steps, merge: out.merge, resume: out.resume_from_checkpoint, backend: out.backend, opt: out.optimizer },
    { model: '/models/llama', data: '/d/train.jsonl', eval: '/d/eval.jsonl', method: 'qlora', q: true, lr: 1e-4, steps: 60, epochs: null, seed: 7, save: 20, evalSteps: 10, merge: true, resume: 'latest', backend: 'auto', opt: 'adamw_8bit' },
  );
});

test('a CPU plan runs the plain backend, one epoch by default, with the plan\'s learning rate', () => {
  const plan = planFor('smollm2-135m-instruct', 'dpo');
  assert.equal(plan.device, 'cpu');
  const out = toSidecarConfig(plan, { model: 'smollm2-135m-instruct', dataset: '/d/dpo.jsonl', objective: 'dpo', plan }, { modelPath: '/m', outputDir: '/o', datasetPath: '/d/imported.jsonl' });
  assert.ok(v.runConfig(out), JSON.stringify(v.runConfig.errors));
  assert.equal(out.backend, 'plain');
  assert.equal(out.objective, 'dpo');
  assert.equal(out.dataset_path, '/d/imported.jsonl');
  assert.equal(out.max_steps, null);
  assert.equal(out.epochs, 1);
  assert.equal(out.learning_rate, plan.learning_rate);
  assert.equal(out.eval_dataset_path, null);
  assert.ok(!('save_steps' in out), 'unset values are left to the sidecar\'s defaults');
});
