/**
 * #5: the LoRA parameters the planner counts (and sizes memory for) are the ones the sidecar trains. Tiny
 * random models of each naming scheme are built with transformers from their configs, wrapped by PEFT with
 * the sidecar's own LoraConfig (hone_sidecar.backends.lora_config, which also keeps LoRA off Gemma 3's
 * vision tower), and their trainable parameters counted in Python.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelArchitecture } from '../../shared/types/model';
import { loraParams, targetModulesFor } from '../catalog/params';
import { execLines } from '../runtime/exec';
import { PYTHON_RUNTIME, testPython } from '../runtime/integration/fixtures';

const RANK = 8;
const common = { paramsB: 0.0001, layers: 2, hiddenSize: 64, heads: 4, kvHeads: 2, intermediateSize: 96, vocabSize: 300, maxPositionEmbeddings: 256 };
const ARCHS: Record<string, ModelArchitecture> = {
  llama: { ...common, architecture: 'LlamaForCausalLM' },
  qwen3: { ...common, architecture: 'Qwen3ForCausalLM', headDim: 32 },
  phi3: { ...common, architecture: 'Phi3ForCausalLM' },
  gemma3: { ...common, architecture: 'Gemma3ForConditionalGeneration', headDim: 16 },
};

const SCRIPT = `
import json, sys, torch
from peft import get_peft_model
import transformers as T
from hone_sidecar import backends
from hone_sidecar.config import parse
archs, rank = json.loads(sys.argv[1]), int(sys.argv[2])
out = {}
for name, a in archs.items():
    text = dict(vocab_size=a["vocabSize"], hidden_size=a["hiddenSize"], intermediate_size=a["intermediateSize"],
                num_hidden_layers=a["layers"], num_attention_heads=a["heads"], num_key_value_heads=a["kvHeads"],
                max_position_embeddings=a["maxPositionEmbeddings"])
    if a.get("headDim"): text["head_dim"] = a["headDim"]
    arch = a["architecture"]
    if arch == "Gemma3ForConditionalGeneration":
        config = T.Gemma3Config(text_config=dict(text, sliding_window=64), mm_tokens_per_image=4, boi_token_index=297,
                                eoi_token_index=298, image_token_index=299,
                                vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                                   num_attention_heads=2, image_size=28, patch_size=14))
    else:
        config = getattr(T, arch.replace("ForCausalLM", "Config"))(**text, pad_token_id=0)
    torch.manual_seed(0)
    model = getattr(T, arch)(config)
    cfg = parse({"model_path": "/m", "dataset_path": "/d", "output_dir": "/o", "lora_rank": rank,
                 "target_modules": a["targets"]})
    wrapped = get_peft_model(model, backends.lora_config(cfg, model.config.to_dict()))
    out[name] = backends.trainable_params(wrapped)
print("COUNTS " + json.dumps(out))
`;

test('the planner counts exactly the LoRA parameters the sidecar trains, for each naming scheme', { timeout: 240_000 }, async () => {
  const python = await testPython();
  const payload = Object.fromEntries(Object.entries(ARCHS).map(([k, a]) => [k, { ...a, targets: targetModulesFor(a) }]));
  const r = await execLines(python, ['-c', SCRIPT, JSON.stringify(payload), String(RANK)], {
    env: { ...process.env, PYTHONPATH: PYTHON_RUNTIME, HF_HUB_OFFLINE: '1' },
    timeoutMs: 200_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('COUNTS '));
  assert.ok(line, r.tail.join('\n'));
  const counts = JSON.parse(line.slice('COUNTS '.length)) as Record<string, number>;
  for (const [name, a] of Object.entries(ARCHS)) {
    assert.equal(counts[name], loraParams(a, RANK, targetModulesFor(a)), `${name}: sidecar ${counts[name]}`);
  }
});
