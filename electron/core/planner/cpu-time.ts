/**
 * The CPU plan's time check: an ETA with its reason, and when it is too long (over DEFAULTS.cpuMaxHours),
 * what would bring it under: fewer steps (rows), shorter sequences, or a GPU.
 */
import type { Hardware } from '../../shared/types/hardware';
import type { ModelSpec } from '../../shared/types/model';
import type { CpuSpeed, DatasetTokenStats, PlanEta, PlanOverrides } from '../../shared/types/plan';
import { DEFAULTS } from './defaults';
import { estimateEta, formatDuration, stepsWithin, type EtaInput } from './eta';

export interface CpuTime {
  eta: PlanEta | null;
  tooSlow: boolean;
  /** The sentence for the plan's reasons (why.eta). */
  reason: string;
}

/** The speed assumed before this machine is measured (errs slow, see DEFAULTS.cpuFlopsPerCore). */
export function defaultCpuSpeed(hardware: Hardware | null): CpuSpeed {
  const cores = Math.max(1, hardware?.cpu.physicalCores || hardware?.cpu.cores || 1);
  return {
    flopsPerSecond: DEFAULTS.cpuFlopsPerCore * cores,
    measured: false,
    how: `not measured yet; assumed ${(DEFAULTS.cpuFlopsPerCore / 1e9).toFixed(0)} GFLOP/s per core for ${cores} core${cores === 1 ? '' : 's'}`,
  };
}

const gflops = (f: number) => `${(f / 1e9).toFixed(f < 1e10 ? 1 : 0)} GFLOP/s`;
const thousands = (n: number) => n.toLocaleString('en-US');

export interface CpuTimeInput {
  model: ModelSpec;
  stats: DatasetTokenStats | null | undefined;
  overrides: PlanOverrides;
  hardware: Hardware | null;
  speed: CpuSpeed | null | undefined;
  settings: Omit<EtaInput, 'model' | 'stats' | 'run' | 'speed'>;
}

export function cpuTime(i: CpuTimeInput): CpuTime {
  if (!i.stats || i.stats.rows <= 0 || i.stats.meanTokens <= 0) {
    return { eta: null, tooSlow: false, reason: 'Time on this CPU: choose a dataset and Hone estimates how long the run takes.' };
  }
  const speed = i.speed ?? defaultCpuSpeed(i.hardware);
  const input: EtaInput = { ...i.settings, model: i.model, stats: i.stats, speed, run: { maxSteps: i.overrides.maxSteps, epochs: i.overrides.epochs } };
  const eta = estimateEta(input);
  const run = i.overrides.maxSteps ? `${eta.steps} steps` : `${i.overrides.epochs ?? 1} epoch${(i.overrides.epochs ?? 1) === 1 ? '' : 's'} (${eta.steps} steps)`;
  const basis =
    `${run}, ${i.settings.batchSize * i.settings.gradAccum} rows each ≈ ${thousands(eta.tokens)} tokens x ${thousands(Math.round(eta.flopsPerToken / 1e6))} MFLOP per token ` +
    `(${i.settings.flops.method === 'full' ? '6' : '4'} per weight${i.settings.flops.gradientCheckpointing ? ', +2 to recompute activations' : ''}) at ${gflops(speed.flopsPerSecond)}` +
    ` (${speed.measured ? `measured on this machine: ${speed.how}` : speed.how}), plus about ${formatDuration(eta.seconds - eta.trainingSeconds)} to load and save`;
  const limit = DEFAULTS.cpuMaxHours * 3600;
  if (eta.seconds <= limit) return { eta, tooSlow: false, reason: `About ${formatDuration(eta.seconds)} on this CPU: ${basis}.` };

  const fixes: string[] = [];
  const steps = stepsWithin(input, limit);
  if (steps >= 1) fixes.push(`at most ${thousands(steps)} steps (about ${thousands(steps * i.settings.batchSize * i.settings.gradAccum)} rows)`);
  for (let seq = Math.floor(i.settings.maxSeqLength / 2); seq >= DEFAULTS.minSeqLength; seq = Math.floor(seq / 2)) {
    const shorter = estimateEta({ ...input, maxSeqLength: seq });
    if (shorter.seconds <= limit) {
      fixes.push(`max_seq_length ${seq} (rows cut there)`);
      break;
    }
  }
  fixes.push('an NVIDIA GPU (plan for one with a card size)');
  return {
    eta,
    tooSlow: true,
    reason: `About ${formatDuration(eta.seconds)} on this CPU, more than the ${DEFAULTS.cpuMaxHours} h Hone plans for: ${basis}. Under ${DEFAULTS.cpuMaxHours} h with ${fixes.join(', or ')}.`,
  };
}
