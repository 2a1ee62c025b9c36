import type { Gpu } from '../../../../electron/shared/types/hardware';
import { gbFromMb } from './format';

/** VRAM of one card: what other programs hold, and what is free for training. */
export function VramBar({ gpu }: { gpu: Gpu }) {
  const total = gpu.vramTotalMb || 1;
  const free = gpu.vramFreeMb ?? total;
  const usedPct = Math.min(100, Math.max(0, ((total - free) / total) * 100));
  return (
    <div data-testid="vram-bar" aria-label={`VRAM: ${gbFromMb(free)} free of ${gbFromMb(gpu.vramTotalMb)}`}>
      <div className="bar" title={`${gbFromMb(total - free)} in use, ${gbFromMb(free)} free`}>
        <span style={{ width: `${usedPct}%`, background: 'var(--overhead)' }} />
        <span style={{ width: `${100 - usedPct}%`, background: 'var(--ok)', opacity: 0.35 }} />
      </div>
      <div className="row muted" style={{ justifyContent: 'space-between', fontSize: 13 }}>
        <span>{gbFromMb(total - free)} in use{gpu.processes.length ? ` by ${gpu.processes.map((p) => p.name).join(', ')}` : ''}</span>
        <span>
          <strong>{gbFromMb(free)}</strong> free of {gbFromMb(gpu.vramTotalMb)}
        </span>
      </div>
    </div>
  );
}
