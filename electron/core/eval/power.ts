/**
 * The GPU's power draw while a model generates: one `nvidia-smi --query-gpu=index,name,power.draw -lms N`
 * process for the whole generation (not a process per sample), stopped when the generation ends.
 *
 * The GPU the model runs on, when the plan names it (`-i N`); otherwise each sample counts the busiest GPU
 * (the one working draws the most; idle cards would only inflate a sum). No nvidia-smi, a GPU that reports [N/A], or no sample at all: watts is null
 * and `reason` says why. Hone never invents a figure; the user can enter watts for the cost instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PowerMeasurement } from '../../shared/types/eval';
import { forEachLine } from '../runtime/exec';

export const POWER_QUERY = ['--query-gpu=index,name,power.draw', '--format=csv,noheader,nounits'];

export class PowerSampler {
  private child: ChildProcess | null = null;
  private readonly byTime: number[] = [];
  private pending = new Map<number, number>();
  private gpu: string | null = null;
  private failure: string | null = null;
  private sawNa = false;

  /** gpuIndex: the nvidia-smi index of the GPU the model runs on, when known; otherwise the busiest one counts. */
  constructor(private readonly env: NodeJS.ProcessEnv, private readonly intervalMs = 500, private readonly gpuIndex: number | null = null) {}

  start(): this {
    if (this.child) return this;
    const only = this.gpuIndex !== null ? ['-i', String(this.gpuIndex)] : [];
    const child = spawn('nvidia-smi', [...POWER_QUERY, `-lms`, String(this.intervalMs), ...only], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.failure = err.code === 'ENOENT' ? 'No NVIDIA GPU here (nvidia-smi not found), so the power draw was not measured.' : `nvidia-smi failed: ${err.message}`;
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-500)));
    child.on('close', (code) => {
      if (code && !this.failure && this.byTime.length === 0) this.failure = `nvidia-smi could not report the power draw: ${stderr.trim() || `exit code ${code}`}`;
    });
    forEachLine(child.stdout!, (line) => this.onLine(line));
    return this;
  }

  /** One line per GPU per interval: "index, name, watts". A repeated index starts the next sample. */
  private onLine(line: string): void {
    const f = line.split(',').map((x) => x.trim());
    if (f.length < 3 || !/^\d+$/.test(f[0])) return;
    const index = Number(f[0]);
    const watts = Number(f[f.length - 1]);
    if (!Number.isFinite(watts)) {
      this.sawNa = true;
      return;
    }
    if (this.pending.has(index)) this.flushSample();
    this.pending.set(index, watts);
    if (this.gpu === null || watts >= Math.max(...this.pending.values())) this.gpu = f.slice(1, -1).join(', ');
  }

  private flushSample(): void {
    if (this.pending.size) this.byTime.push(Math.max(...this.pending.values()));
    this.pending = new Map();
  }

  /** Ends sampling; the mean draw over the samples taken. */
  async stop(): Promise<PowerMeasurement> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
    }
    this.flushSample();
    const n = this.byTime.length;
    if (n === 0) {
      const reason = this.failure ?? (this.sawNa ? 'The GPU does not report its power draw (nvidia-smi says [N/A]).' : 'The generation ended before nvidia-smi reported a power reading.');
      return { watts: null, samples: 0, gpu: this.gpu, reason };
    }
    return { watts: Math.round((this.byTime.reduce((a, b) => a + b, 0) / n) * 10) / 10, samples: n, gpu: this.gpu };
  }
}

/** A measurement that was not attempted, with its reason. */
export function notMeasured(reason: string): PowerMeasurement {
  return { watts: null, samples: 0, gpu: null, reason };
}
