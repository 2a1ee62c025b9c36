import type { Hardware } from '../../../../electron/shared/types/hardware';
import { gbFromMb } from './format';

/** With several NVIDIA GPUs: which one to train on (Hone picked the one with the most free VRAM). */
export function GpuPicker({ hardware, onSelect }: { hardware: Hardware; onSelect(index: number): void }) {
  const nvidia = hardware.gpus.filter((g) => g.vendor === 'nvidia');
  if (nvidia.length < 2) return null;
  return (
    <fieldset className="card" data-testid="gpu-picker">
      <legend>Train on</legend>
      {nvidia.map((g) => (
        <label key={g.index} className="row" style={{ padding: '4px 0' }}>
          <input type="radio" name="gpu" data-testid={`gpu-option-${g.index}`} checked={hardware.selectedGpu === g.index} disabled={g.driverVersion === null} onChange={() => onSelect(g.index)} />
          <span>
            GPU {g.index}: {g.name} <span className="muted">({gbFromMb(g.vramFreeMb)} free of {gbFromMb(g.vramTotalMb)})</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
