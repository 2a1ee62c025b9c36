/**
 * The runtime schema of every request's params (zod), one per channel: the single source the contract's
 * param types are inferred from (contract.ts: `params: ParamsOf<'channel'>`) and that the dispatcher checks
 * every request against before a handler runs (electron/transport/validate.ts). Top-level objects are
 * strict: an unknown key is a BAD_REQUEST that names it, never silently stored.
 *
 * Adding a request channel: add its schema to REQUEST_PARAMS below, then its entry in contract.ts's
 * Requests with `params: ParamsOf<'your.channel'>` and its name in REQUEST_CHANNELS. The type-check fails
 * until all three exist, and params.test.ts fails when a channel has no schema.
 *
 * Renderer-safe: no Node imports. The renderer imports only the types (contract.ts), not zod itself.
 */
import { z } from 'zod';
import type { DistributedPlan, Plan, PlanEta, PlanOverrides } from './types/plan';
import type { RunConfig } from './types/runs';
import type { ChatMessage as ChatMessageType, ChatOptions as ChatOptionsType, SendToOllamaRequest } from './types/ollama';
import type { FileExportRequest } from './types/exports';

// ---- building blocks -------------------------------------------------------------------------------

const noNul = (s: string) => !s.includes('\0');

/** A file or folder path typed or picked by the user. The core resolves and checks it; here only its shape. */
export const FilePath = z.string().min(1, 'must not be empty').max(4096).refine(noNul, 'must not contain a NUL character');

/** A catalogue id, a Hub repo id (owner/name), `local:<folder>` or a folder. */
export const ModelRef = z.string().min(1, 'must not be empty').max(4096).refine(noNul, 'must not contain a NUL character');

/**
 * A run as the renderer names it: its database id (20250102-153045-a1b2), never a folder. Folders are the
 * CLI's business (`hone send-to-ollama <folder>`), which does not go through this contract.
 */
export const RunId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a run id from the Runs page, not a path');

const PositiveInt = z.number().int().positive();
const Text = (max: number) => z.string().max(max);

/** An Ollama address as OLLAMA_HOST takes it: host:port, :port, or an http(s) URL. */
export const OllamaHost = z
  .string()
  .min(1)
  .max(2048)
  .refine((v) => {
    const raw = v.trim();
    if (!raw || /[\s\0]/.test(raw)) return false;
    try {
      const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw.startsWith(':') ? `127.0.0.1${raw}` : raw}`);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be host:port or an http(s) URL, e.g. 127.0.0.1:11434');

const Objective = z.enum(['sft', 'dpo']);
const TrainingMethod = z.enum(['qlora', 'lora', 'full']);
const DatasetFormat = z.enum(['alpaca', 'sharegpt', 'messages', 'prompt_completion', 'text', 'dpo']);
/** Our field -> the user's column. Keys are field names: __proto__ and friends are refused before this. */
const ColumnMapping = z.record(z.string().min(1).max(256), z.string().min(1).max(1024));

const PlanOverridesSchema = z.strictObject({
  method: TrainingMethod.optional(),
  maxSeqLength: PositiveInt.max(1_048_576).optional(),
  batchSize: PositiveInt.max(65_536).optional(),
  gradAccum: PositiveInt.max(65_536).optional(),
  loraRank: PositiveInt.max(4096).optional(),
  gradientCheckpointing: z.boolean().optional(),
  vramGb: z.number().positive().max(100_000).optional(),
  objective: Objective.optional(),
  processes: PositiveInt.max(1024).optional(),
  gpus: z.array(z.number().int().min(0).max(1024)).min(1).max(1024).optional(),
  nodes: PositiveInt.max(4096).optional(),
  // The run's length, for the CPU time estimate.
  maxSteps: PositiveInt.max(10_000_000).optional(),
  epochs: z.number().positive().max(1000).optional(),
});

const PlanChoice = z.enum(['method', 'max_seq_length', 'batch', 'lora', 'gradient_checkpointing', 'optimizer', 'strategy', 'eta']);

const DistributedPlanSchema = z.strictObject({
  strategy: z.enum(['ddp', 'fsdp']),
  processes: PositiveInt.max(1024),
  nodes: PositiveInt.max(4096),
  gpu_indices: z.array(z.number().int().min(0).max(1024)).max(1024),
  backend: z.literal('plain'),
  mixed_precision: z.enum(['bf16', 'fp16', 'no']),
  fsdp: z.strictObject({ sharding: z.literal('FULL_SHARD'), wrap: Text(256).regex(/^[A-Za-z_][A-Za-z0-9_]*$/), offload_params: z.boolean() }).nullable(),
  budget_per_process_gb: z.number().nonnegative(),
  reason: Text(4096),
});

/** A CPU plan's time estimate (planner/eta.ts). */
const PlanEtaSchema = z.strictObject({
  seconds: z.number().nonnegative(),
  trainingSeconds: z.number().nonnegative(),
  steps: z.number().int().nonnegative(),
  tokens: z.number().nonnegative(),
  flopsPerToken: z.number().nonnegative(),
  flopsPerSecond: z.number().positive(),
  measured: z.boolean(),
});

/** A plan the core computed, coming back with runs.start: checked field by field, nothing extra. */
const PlanSchema = z.strictObject({
  modelId: ModelRef,
  objective: Objective,
  method: TrainingMethod,
  load_in_4bit: z.boolean(),
  max_seq_length: PositiveInt,
  batch_size: PositiveInt,
  grad_accum: PositiveInt,
  effective_batch: PositiveInt,
  lora_rank: z.number().int().nonnegative(),
  lora_alpha: z.number().nonnegative(),
  lora_dropout: z.number().min(0).max(1),
  target_modules: z.array(Text(256)).max(256),
  gradient_checkpointing: z.boolean(),
  optimizer: Text(128),
  learning_rate: z.number().positive(),
  estimated_vram_gb: z.number(),
  breakdown: z.strictObject({ weightsGb: z.number(), trainableGb: z.number(), activationsGb: z.number(), overheadGb: z.number() }),
  vram_budget_gb: z.number(),
  headroom_gb: z.number(),
  margin_gb: z.number().nonnegative().optional(),
  fits: z.boolean(),
  reasons: z.array(Text(4096)).max(256),
  why: z.partialRecord(PlanChoice, Text(4096)).optional(),
  suggestion: z.strictObject({ modelId: ModelRef, name: Text(1024), method: TrainingMethod }).nullable().optional(),
  device: z.enum(['cuda', 'cpu']),
  gpu_index: z.number().int().min(0).max(1024).nullable().optional(),
  lora_trainable_params: z.number().int().nonnegative().optional(),
  plain_estimated_vram_gb: z.number().optional(),
  distributed: DistributedPlanSchema.nullable().optional(),
  eta: PlanEtaSchema.nullable().optional(),
});

const RunConfigSchema = z.strictObject({
  model: ModelRef,
  dataset: FilePath,
  evalDataset: FilePath.nullable().optional(),
  objective: Objective,
  plan: PlanSchema,
  maxSteps: PositiveInt.nullable().optional(),
  epochs: z.number().positive().max(10_000).optional(),
  learningRate: z.number().positive().optional(),
  seed: z.number().int().optional(),
  saveSteps: PositiveInt.optional(),
  evalSteps: PositiveInt.nullable().optional(),
  mergeOnFinish: z.boolean().optional(),
  name: Text(200).optional(),
  memoryCheck: z
    .strictObject({
      skip: z.boolean().optional(),
      budgetGb: z.number().positive().max(100_000).nullable().optional(),
      allowTruncation: z.boolean().optional(),
      takeFaster: z.boolean().optional(),
    })
    .nullable()
    .optional(),
});

const ChatMessage = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: Text(1_000_000) });
const ChatOptions = z.strictObject({ temperature: z.number().min(0).max(100).optional(), maxTokens: PositiveInt.max(1_048_576).optional(), think: z.boolean().optional() });

const SendToOllamaSchema = z.strictObject({
  runId: RunId,
  name: Text(256),
  quantize: z.enum(['q4_K_M', 'q8_0', 'f16']),
  system: Text(100_000).optional(),
  overwrite: z.boolean().optional(),
});

const FileExportSchema = z.strictObject({
  runId: RunId,
  target: z.enum(['gguf', 'lmstudio', 'adapter', 'card']),
  quantize: z.enum(['q4_K_M', 'q5_K_M', 'q8_0', 'f16']).optional(),
  card: z
    .strictObject({
      license: Text(128).min(1).optional(),
      tags: z.array(Text(128).min(1)).max(64).optional(),
      datasets: z.array(Text(256).min(1)).max(64).optional(),
    })
    .optional(),
});

const DatasetSource = {
  path: FilePath,
  format: DatasetFormat.optional(),
  mapping: ColumnMapping.optional(),
};

/** Hugging Face tokens: opaque, so only a sane length here; models/token.ts checks the rest. */
const HfToken = z.string().max(512);

/**
 * settings.set: only the settings a user may change, each with its type. `hfToken` is accepted for old
 * clients but goes to the secrets store only (never settings.json, never settings.get). A new pythonPath
 * must carry `confirmPythonPath: true`: the Settings page asks the user first, since Hone will run it.
 */
const SettingsPatch = z.strictObject({
  pythonPath: FilePath.nullable().optional(),
  ollamaHost: OllamaHost.optional(),
  theme: z.enum(['light', 'dark', 'system']).optional(),
  onboarded: z.boolean().optional(),
  hfToken: HfToken.nullable().optional(),
  hubEndpoint: z.string().max(2048).nullable().optional(),
  hubProxy: z.string().max(2048).nullable().optional(),
  modelsDir: FilePath.nullable().optional(),
  evalAfterTraining: z.boolean().optional(),
  // Any of the cost fields: merged into the stored ones, so edits of two fields in quick succession both stay.
  evalCost: z
    .strictObject({
      hostedPricePer1M: z.number().nonnegative().max(1e9).nullable(),
      pricePerKwh: z.number().nonnegative().max(1e6).nullable(),
      watts: z.number().nonnegative().max(1e6).nullable(),
      currency: Text(16).min(1),
    })
    .partial()
    .optional(),
  confirmPythonPath: z.literal(true).optional(),
});

/** For channels that take nothing. */
const None = z.undefined();

// ---- one schema per request channel ----------------------------------------------------------------

export const REQUEST_PARAMS = {
  'app.info': None,
  'hardware.get': z.strictObject({ refresh: z.boolean().optional() }).optional(),
  'hardware.selectGpu': z.strictObject({ index: z.number().int().min(0).max(1024) }),
  'hardware.selectGpus': z.strictObject({ indices: z.array(z.number().int().min(0).max(1024)).min(1).max(1024) }),
  'catalog.list': None,
  'catalog.inspectFolder': z.strictObject({ path: FilePath }),
  'plan.calibrate': z.strictObject({ force: z.boolean().optional() }).optional(),
  'plan.compute': z.strictObject({
    model: ModelRef,
    overrides: PlanOverridesSchema.optional(),
    datasetStats: z
      .strictObject({ rows: z.number().int().nonnegative(), meanTokens: z.number().nonnegative(), p95Tokens: z.number().nonnegative(), maxTokens: z.number().nonnegative() })
      .nullable()
      .optional(),
  }),
  'runtime.status': None,
  'runtime.install': z.strictObject({ force: z.boolean().optional() }).optional(),
  'datasets.samples': None,
  'datasets.inspect': z.strictObject({ ...DatasetSource, model: ModelRef.optional(), maxSeqLength: PositiveInt.optional() }),
  'datasets.render': z.strictObject({ ...DatasetSource, model: ModelRef, rows: PositiveInt.max(1000).optional() }),
  'datasets.import': z.strictObject({
    ...DatasetSource,
    model: ModelRef.optional(),
    maxSeqLength: PositiveInt.optional(),
    badRows: z.enum(['skip', 'stop']),
    evalPercent: z.number().min(0).max(50).optional(),
    evalPath: FilePath.nullable().optional(),
    seed: z.number().int().optional(),
  }),
  'runs.start': z.strictObject({ config: RunConfigSchema }),
  'runs.stop': z.strictObject({ runId: RunId }),
  'runs.resume': z.strictObject({ runId: RunId }),
  'runs.list': None,
  'runs.get': z.strictObject({ runId: RunId }),
  'runs.metrics': z.strictObject({ runId: RunId, names: z.array(Text(256)).max(256).optional() }),
  'runs.events': z.strictObject({ runId: RunId, afterSeq: z.number().int().nonnegative(), limit: PositiveInt.optional() }),
  'runs.logs': z.strictObject({ runId: RunId, limit: PositiveInt.optional() }),
  'runs.delete': z.strictObject({ runId: RunId }),
  'ollama.status': None,
  'ollama.list': None,
  'ollama.send': SendToOllamaSchema,
  'ollama.chat': z.strictObject({ requestId: Text(128).min(1), model: Text(512).min(1), messages: z.array(ChatMessage).min(1).max(10_000), options: ChatOptions.optional() }),
  'ollama.show': z.strictObject({ model: Text(512).min(1) }),
  'ollama.chatStop': z.strictObject({ requestId: Text(128).min(1) }),
  'settings.get': None,
  'settings.set': SettingsPatch,
  'models.download': z.strictObject({ model: ModelRef, revision: z.string().max(255).nullable().optional(), update: z.boolean().optional() }),
  'models.checkUpdate': z.strictObject({ model: ModelRef }),
  'models.storage': None,
  'models.hubStatus': None,
  'models.cancelDownload': z.strictObject({ model: ModelRef }),
  'models.local': None,
  'models.setToken': z.strictObject({ token: HfToken.nullable() }),
  'models.tokenStatus': None,
  'eval.start': z.strictObject({ runId: RunId, data: FilePath.nullable().optional(), limit: PositiveInt.max(100_000).optional(), maxNewTokens: PositiveInt.max(32_768).optional() }),
  'eval.stop': z.strictObject({ runId: RunId }),
  'eval.get': z.strictObject({ runId: RunId }),
  'eval.ollama': z.strictObject({ runId: RunId, tunedModel: Text(512).min(1).optional(), baseModel: Text(512).min(1).optional() }),
  'eval.export': z.strictObject({ runId: RunId, format: z.enum(['html', 'markdown']) }),
  'eval.baseModel': z.strictObject({ runId: RunId }),
  'exports.targets': z.strictObject({ runId: RunId }),
  'exports.start': FileExportSchema,
  'exports.showInFolder': z.strictObject({ path: FilePath }),
} satisfies Record<string, z.ZodType>;

export type ParamsChannel = keyof typeof REQUEST_PARAMS;
/** What a handler receives (after validation). */
export type ParamsOf<C extends ParamsChannel> = z.output<(typeof REQUEST_PARAMS)[C]>;
export type SettingsPatch = ParamsOf<'settings.set'>;

// ---- the nested shared types, checked against their schemas at compile time --------------------------

/** true when A and B are assignable both ways and have the same keys; a readable error otherwise. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : 'schema lacks a key of the type') : 'type lacks a key of the schema') : 'type does not fit the schema') : 'schema does not fit the type';
// If one of these fails to compile, a field was added to the type but not to its schema above (or the reverse).
export const SCHEMAS_MATCH_TYPES: [
  Same<z.output<typeof PlanSchema>, Plan>,
  Same<z.output<typeof DistributedPlanSchema>, DistributedPlan>,
  Same<z.output<typeof RunConfigSchema>, RunConfig>,
  Same<z.output<typeof PlanOverridesSchema>, PlanOverrides>,
  Same<z.output<typeof SendToOllamaSchema>, SendToOllamaRequest>,
  Same<z.output<typeof ChatMessage>, ChatMessageType>,
  Same<z.output<typeof ChatOptions>, ChatOptionsType>,
  Same<z.output<typeof FileExportSchema>, FileExportRequest>,
  Same<z.output<typeof PlanEtaSchema>, PlanEta>,
] = [true, true, true, true, true, true, true, true, true];
