import type { Hardware } from '../../../../electron/shared/types/hardware';
import type { OllamaStatus } from '../../../../electron/shared/types/ollama';
import type { RuntimeStatus } from '../../../../electron/shared/types/runtime';

type Level = 'ok' | 'warn' | 'err' | 'pending';

function Check({ level, title, detail, testId }: { level: Level; title: string; detail: string; testId: string }) {
  const badge = { ok: 'ok', warn: 'warn', err: 'err', pending: '' }[level];
  const word = { ok: 'Ready', warn: 'Note', err: 'Action needed', pending: 'Checking…' }[level];
  return (
    <li data-testid={testId} data-level={level}>
      <span className={`badge ${badge}`}>{word}</span>
      <div>
        <strong>{title}</strong>
        <div className="muted">{detail}</div>
      </div>
    </li>
  );
}

function gpuCheck(hw: Hardware | null): { level: Level; detail: string } {
  if (!hw) return { level: 'pending', detail: '' };
  const gpu = hw.selectedGpu !== null ? hw.gpus[hw.selectedGpu] : null;
  if (!gpu) return { level: 'warn', detail: 'No NVIDIA GPU found. The built-in demo trains on the CPU; real models need an NVIDIA GPU.' };
  const vram = ((gpu.vramFreeMb ?? gpu.vramTotalMb) / 1024).toFixed(1);
  const driverIssue = hw.notices.find((n) => n.code === 'DRIVER_TOO_OLD');
  if (driverIssue) return { level: 'err', detail: driverIssue.message };
  return { level: 'ok', detail: `${gpu.name}, ${vram} GB free${gpu.driverVersion ? `, driver ${gpu.driverVersion}` : ''}` };
}

function diskCheck(hw: Hardware | null): { level: Level; detail: string } {
  if (!hw) return { level: 'pending', detail: '' };
  const free = hw.disk.freeMb;
  if (free === null) return { level: 'warn', detail: `Could not read free space in ${hw.disk.path}.` };
  const gb = free / 1024;
  // The CUDA stack is ~6 GB, a 7B model ~15 GB, checkpoints a few GB more.
  if (gb < 10) return { level: 'warn', detail: `${gb.toFixed(1)} GB free in ${hw.disk.path}: enough for the demo; real models need 20 GB or more.` };
  return { level: 'ok', detail: `${gb.toFixed(0)} GB free in ${hw.disk.path}` };
}

export function MachineChecks({ hardware, ollama, runtime }: { hardware: Hardware | null; ollama: OllamaStatus | null; runtime: RuntimeStatus | null }) {
  const gpu = gpuCheck(hardware);
  const disk = diskCheck(hardware);
  const ollamaCheck: { level: Level; detail: string } = !ollama
    ? { level: 'pending', detail: '' }
    : ollama.running
      ? { level: 'ok', detail: `Ollama ${ollama.version} at ${ollama.host}` }
      : { level: 'warn', detail: ollama.hint ?? `Ollama is not running at ${ollama.host}. You can train now and send the model later.` };
  const rt: { level: Level; detail: string } = !runtime
    ? { level: 'pending', detail: '' }
    : runtime.state === 'ready'
      ? { level: 'ok', detail: `Python ready (${runtime.flavour ?? 'cpu'}) in ${runtime.envDir}` }
      : runtime.state === 'failed'
        ? { level: 'err', detail: runtime.error?.message ?? 'Setting up Python failed.' }
        : { level: 'warn', detail: 'Hone sets up its own Python environment for training (one time, a few minutes).' };
  return (
    <ul className="checklist">
      <Check testId="check-gpu" title="GPU" {...gpu} />
      <Check testId="check-disk" title="Disk" {...disk} />
      <Check testId="check-ollama" title="Ollama" {...ollamaCheck} />
      <Check testId="check-python" title="Python environment" {...rt} />
    </ul>
  );
}
