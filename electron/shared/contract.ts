/**
 * The one contract between the core and the renderer. Both adapters (Electron IPC in
 * electron/main/ipc.ts, WebSocket in electron/headless/server.ts) and both bridges
 * (preload, renderer/src/bridge/websocket.ts) are driven by REQUEST_CHANNELS and
 * EVENT_CHANNELS below; contract.test.ts fails when those lists drift from the types.
 *
 * Pure types and constants: the renderer imports this file, so it must never import Node.
 */
import type { ErrorInfo } from './errors';
import type { Hardware } from './types/hardware';
import type { ModelSpec } from './types/model';
import type { Plan, PlanOverrides } from './types/plan';
import type { ColumnMapping, DatasetFormat, DatasetReport, DatasetStats, ImportedDataset, RenderedRow } from './types/dataset';
import type { RuntimeProgress, RuntimeStatus } from './types/runtime';
import type { MetricPoint, RunConfig, RunDetail, RunEvent, RunSummary } from './types/runs';
import type {
  ChatChunk,
  ChatMessage,
  ChatOptions,
  ChatReply,
  ExportProgress,
  OllamaModelDetails,
  OllamaModelInfo,
  OllamaStatus,
  SendToOllamaRequest,
} from './types/ollama';
import type { ExportTargetInfo, FileExportProgress, FileExportRequest, FileExportResult, RevealResult } from './types/exports';
import type { Settings } from './types/settings';
import type { Progress } from './types/progress';
import type { HubStatus, LocalModelInfo, ModelStorage, TokenStatus, UpdateCheck } from './types/model-storage';

export type { ErrorInfo };

export interface AppInfo {
  version: string;
  mode: 'electron' | 'headless';
  dataDir: string;
  platform: string;
}

/** Every request: channel -> { params, result }. */
export interface Requests {
  'app.info': { params: void; result: AppInfo };
  'hardware.get': { params: { refresh?: boolean } | void; result: Hardware };
  'hardware.selectGpu': { params: { index: number }; result: Hardware };
  'catalog.list': { params: void; result: ModelSpec[] };
  'catalog.inspectFolder': { params: { path: string }; result: ModelSpec };
  'plan.compute': {
    params: { model: string; overrides?: PlanOverrides; datasetStats?: Pick<DatasetStats, 'rows' | 'meanTokens' | 'p95Tokens' | 'maxTokens'> | null };
    result: Plan;
  };
  'runtime.status': { params: void; result: RuntimeStatus };
  'runtime.install': { params: { force?: boolean } | void; result: RuntimeStatus };
  'datasets.samples': { params: void; result: { name: string; path: string; objective: 'sft' | 'dpo'; rows: number }[] };
  'datasets.inspect': {
    params: { path: string; format?: DatasetFormat; mapping?: ColumnMapping; model?: string; maxSeqLength?: number };
    result: DatasetReport;
  };
  'datasets.render': {
    params: { path: string; format?: DatasetFormat; mapping?: ColumnMapping; model: string; rows?: number };
    result: RenderedRow[];
  };
  'datasets.import': {
    params: {
      path: string;
      format?: DatasetFormat;
      mapping?: ColumnMapping;
      model?: string;
      maxSeqLength?: number;
      badRows: 'skip' | 'stop';
      evalPercent?: number;
      evalPath?: string | null;
      seed?: number;
    };
    result: ImportedDataset;
  };
  'runs.start': { params: { config: RunConfig }; result: RunSummary };
  'runs.stop': { params: { runId: string }; result: RunSummary };
  'runs.resume': { params: { runId: string }; result: RunSummary };
  'runs.list': { params: void; result: RunSummary[] };
  'runs.get': { params: { runId: string }; result: RunDetail };
  'runs.metrics': { params: { runId: string; names?: string[] }; result: MetricPoint[] };
  /** Replay: every stored event with seq > afterSeq, in order. */
  'runs.events': { params: { runId: string; afterSeq: number; limit?: number }; result: RunEvent[] };
  'runs.logs': { params: { runId: string; limit?: number }; result: string[] };
  'runs.delete': { params: { runId: string }; result: { deleted: true } };
  'ollama.status': { params: void; result: OllamaStatus };
  'ollama.list': { params: void; result: OllamaModelInfo[] };
  'ollama.send': { params: SendToOllamaRequest; result: { exportId: string; name: string; digest: string | null; templateCheck: string } };
  'ollama.chat': { params: { requestId: string; model: string; messages: ChatMessage[]; options?: ChatOptions }; result: ChatReply };
  'ollama.show': { params: { model: string }; result: OllamaModelDetails };
  'ollama.chatStop': { params: { requestId: string }; result: { stopped: boolean } };
  /** The run's export targets (GGUF file, LM Studio, adapter bundle, model card): available now or why not, files made. */
  'exports.targets': { params: { runId: string }; result: ExportTargetInfo[] };
  /** Runs one target into the run folder (progress on 'exports.progress'); resolves when the file is checked. */
  'exports.start': { params: FileExportRequest; result: FileExportResult };
  /** Opens the folder of a file Hone made (Electron); headless answers shown: false. Paths outside Hone's folders are refused. */
  'exports.showInFolder': { params: { path: string }; result: RevealResult };
  'settings.get': { params: void; result: Settings };
  'settings.set': { params: Partial<Settings>; result: Settings };
  /**
   * model: a catalogue id, a Hub repo id (owner/name) or a local folder; resolves once the files are on disk.
   * revision: a branch, tag or commit (it becomes the one the repo is used at; absent: the one in use, main).
   * update: fetch the revision's current commit though a complete copy is here.
   */
  'models.download': { params: { model: string; revision?: string | null; update?: boolean }; result: { path: string } };
  'models.cancelDownload': { params: { model: string }; result: { cancelled: boolean } };
  'models.local': { params: void; result: LocalModelInfo[] };
  /** The Hugging Face token never comes back to the renderer: only whether one is in use, and from where. */
  'models.setToken': { params: { token: string | null }; result: TokenStatus };
  'models.tokenStatus': { params: void; result: TokenStatus };
  /** A finished download against the Hub's current commit of its revision (fails offline: NO_NETWORK). */
  'models.checkUpdate': { params: { model: string }; result: UpdateCheck };
  /** Where models live and how much room they take. */
  'models.storage': { params: void; result: ModelStorage };
  /** The Hub endpoint, proxy and token source in use. */
  'models.hubStatus': { params: void; result: HubStatus };
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
}

export type RequestChannel = keyof Requests;
export type EventChannel = keyof Events;
export type Params<C extends RequestChannel> = Requests[C]['params'];
export type Result<C extends RequestChannel> = Requests[C]['result'];

export const REQUEST_CHANNELS = [
  'app.info',
  'hardware.get',
  'hardware.selectGpu',
  'catalog.list',
  'catalog.inspectFolder',
  'plan.compute',
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
] as const satisfies readonly EventChannel[];

/** The core implements one async function per request. */
export type RequestHandlers = { [C in RequestChannel]: (params: Params<C>) => Promise<Result<C>> };

export type Unsubscribe = () => void;

/**
 * What the renderer sees, whichever transport carries it: `window.hone` in Electron
 * (the preload) or the WebSocket client in headless mode.
 */
export interface Bridge {
  invoke<C extends RequestChannel>(channel: C, ...params: Params<C> extends void ? [] | [Params<C>] : [Params<C>]): Promise<Result<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): Unsubscribe;
}

/** Wire messages of the headless WebSocket transport. */
export type WireClientMessage = { id: number; channel: RequestChannel; params?: unknown } | { type: 'ready' };
export type WireServerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorInfo }
  | { event: EventChannel; payload: unknown };

/** The Electron IPC channel names the preload allows: request channels are prefixed, events too. */
export const IPC_PREFIX = 'hone:';
export const ipcRequestChannel = (c: RequestChannel): string => `${IPC_PREFIX}req:${c}`;
export const ipcEventChannel = (c: EventChannel): string => `${IPC_PREFIX}evt:${c}`;
