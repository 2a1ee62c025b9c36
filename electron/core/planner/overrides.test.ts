import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateOverrides } from './overrides';

test('good overrides pass through; empty ones become {}', () => {
  assert.deepEqual(validateOverrides(undefined), {});
  assert.deepEqual(validateOverrides(null), {});
  const all = { method: 'lora', maxSeqLength: 4096, batchSize: 2, gradAccum: 8, loraRank: 32, gradientCheckpointing: false, vramGb: 24, objective: 'dpo', processes: 2, gpus: [1, 0], nodes: 2 };
  assert.deepEqual(validateOverrides(all), all);
  assert.deepEqual(validateOverrides({ batchSize: null, unknown: 1 }), {});
});

test('each bad field is named with what it should be', () => {
  const cases: [unknown, RegExp][] = [
    ['fast', /must be an object/],
    [{ batchSize: 0 }, /batch size must be a whole number from 1 to 1024, not 0/],
    [{ maxSeqLength: 1.5 }, /max_seq_length must be a whole number/],
    [{ loraRank: '16' }, /LoRA rank must be a whole number .* not "16"/],
    [{ vramGb: -2 }, /card size must be a number of GB above 0/],
    [{ method: 'dora' }, /method must be one of qlora, lora, full, not "dora"/],
    [{ objective: 'rlhf' }, /objective must be sft or dpo/],
    [{ gradientCheckpointing: 'yes' }, /true or false/],
    [{ processes: 0 }, /number of processes must be a whole number from 1 to 1024/],
    [{ nodes: 2.5 }, /number of machines must be a whole number/],
    [{ gpus: '0,1' }, /GPUs must be a list of nvidia-smi indices/],
    [{ gpus: [0, -1] }, /GPUs must be a list/],
  ];
  for (const [input, msg] of cases) assert.throws(() => validateOverrides(input), (e: Error & { code?: string }) => e.code === 'BAD_REQUEST' && msg.test(e.message), JSON.stringify(input));
});
