/**
 * Shared by the runs integration tests: the real tiny model (built once per machine by the sidecar's
 * own `python -m hone_sidecar.tiny`, then reused by every test), a CPU plan for it, an in-process core
 * on a temp data folder, and a WebSocket client of the headless transport.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Plan } from '../../../shared/types/plan';
import type { RunConfig, RunEvent, RunStatus } from '../../../shared/types/runs';
import type { RequestChannel, WireServerMessage } from '../../../shared/contract';
import { createCore, type Core } from '../../app';
import { REPO_ROOT } from '../../paths';

export const PYTHON = process.env.HONE_PYTHON ?? '/tmp/probe-venv/bin/python';
export const SFT_SAMPLE = path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl');

/** The tiny Llama, built once and keyed by the builder's source so a change rebuilds it. */
export function tinyModel(): string {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'python-runtime', 'hone_sidecar', 'tiny.py'));
  const dir = path.join(os.tmpdir(), `hone-tiny-${crypto.createHash('sha256').update(src).digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  execFileSync(PYTHON, ['-m', 'hone_sidecar.tiny', tmp], { env: { ...process.env, PYTHONPATH: path.join(REPO_ROOT, 'python-runtime') }, stdio: 'ignore' });
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another test process built it first
  }
  return dir;
}

/** A CPU plan the tiny model trains with in about a second a step. */
export const CPU_PLAN: Plan = {
  modelId: 'tiny', objective: 'sft', method: 'lora', load_in_4bit: false, max_seq_length: 128, batch_size: 2, grad_accum: 1,
  effective_batch: 2, lora_rank: 8, lora_alpha: 16, lora_dropout: 0, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  gradient_checkpointing: false, optimizer: 'adamw_torch', learning_rate: 0.002, estimated_vram_gb: 0.1,
  breakdown: { weightsGb: 0, trainableGb: 0, activationsGb: 0, overheadGb: 0 }, vram_budget_gb: 0, headroom_gb: 0, fits: true,
  reasons: ['test plan for the tiny model on CPU'], device: 'cpu',
};

export function runConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { model: tinyModel(), dataset: SFT_SAMPLE, objective: 'sft', plan: CPU_PLAN, maxSteps: 6, saveSteps: 100, evalSteps: null, seed: 7, ...overrides };
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hone-runs-it-'));
}

export function testEnv(): NodeJS.ProcessEnv {
  return { ...process.env, HONE_PYTHON: PYTHON };
}

export function inProcessCore(dataDir: string): Core {
  return createCore({ mode: 'headless', paths: { dataDir }, env: testEnv() });
}

/** A client of the headless WebSocket transport, as the renderer's bridge is. */
export class WsClient {
  readonly events: RunEvent[] = [];
  private ws!: WebSocket;
  private nextId = 1;
  private pending = new Map<number, (m: WireServerMessage) => void>();
  private waiters: (() => void)[] = [];

  static async connect(port: number, token: string): Promise<WsClient> {
    const c = new WsClient();
    c.ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    c.ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as WireServerMessage;
      if ('event' in msg) {
        if (msg.event === 'runs.event') c.events.push(msg.payload as RunEvent);
        for (const w of c.waiters.splice(0)) w();
      } else c.pending.get(msg.id)?.(msg);
    });
    c.ws.send(JSON.stringify({ type: 'ready' }));
    return c;
  }

  async invoke<T>(channel: RequestChannel, params?: unknown): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<WireServerMessage>((resolve) => this.pending.set(id, resolve));
    this.ws.send(JSON.stringify({ id, channel, params }));
    const msg = await reply;
    if ('ok' in msg && msg.ok) return msg.result as T;
    throw Object.assign(new Error('error' in msg ? msg.error.message : 'bad reply'), 'error' in msg ? msg.error : {});
  }

  /** Resolves when an event satisfying `match` has arrived (already or later). */
  async waitFor(match: (e: RunEvent) => boolean, timeoutMs = 120_000, what = 'event'): Promise<RunEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  waitStatus(runId: string, status: RunStatus, timeoutMs?: number): Promise<RunEvent> {
    return this.waitFor((e) => e.runId === runId && e.kind === 'status' && e.status === status, timeoutMs, `status ${status}`);
  }

  close(): void {
    this.ws.close();
  }
}

export const isMetrics = (runId: string) => (e: RunEvent) => e.runId === runId && e.kind === 'sidecar' && e.event?.type === 'metrics';

export function lossSteps(events: RunEvent[], runId: string): number[] {
  return events.filter(isMetrics(runId)).map((e) => (e.event as { step: number }).step);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
