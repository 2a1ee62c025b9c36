import type { Hardware } from '../../../../electron/shared/types/hardware';
import { gbFromMb } from './format';
import { VramBar } from './VramBar';

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <tr>
      <th style={{ width: 110 }}>{label}</th>
      <td data-testid={testId}>{value}</td>
    </tr>
  );
}

/** The machine at a glance: the GPU Hone will train on (or none), then CPU, RAM, disk and OS. */
export function HardwareCard({ hardware }: { hardware: Hardware }) {
  const gpu = hardware.gpus.find((g) => g.index === hardware.selectedGpu) ?? null;
  const others = hardware.gpus.filter((g) => g.vendor !== 'nvidia');
  return (
    <section className="card" data-testid="hardware-card" data-backend={hardware.backend}>
      <h2>Your machine</h2>
      {gpu ? (
        <div style={{ marginBottom: 12 }}>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <strong data-testid="gpu-name">{gpu.name}</strong>
            <span className={`badge ${hardware.backend === 'cuda' ? 'ok' : 'err'}`}>{hardware.backend === 'cuda' ? 'Trains with Unsloth (CUDA)' : 'Not usable until the driver is updated'}</span>
          </div>
          <VramBar gpu={gpu} />
          <div className="muted" style={{ fontSize: 13 }}>
            {[gpu.driverVersion && `Driver ${gpu.driverVersion}`, gpu.cudaDriverVersion && `CUDA ${gpu.cudaDriverVersion}`, gpu.computeCapability && `Compute capability ${gpu.computeCapability}`].filter(Boolean).join(' · ')}
          </div>
        </div>
      ) : (
        <p data-testid="gpu-name">
          <strong>No NVIDIA GPU</strong>
          {others.length ? <span className="muted"> ({others.map((g) => g.name).join(', ')} found, not usable for training)</span> : null}
        </p>
      )}
      <table>
        <tbody>
          <Fact label="CPU" value={`${hardware.cpu.brand}, ${hardware.cpu.physicalCores} cores / ${hardware.cpu.cores} threads`} testId="hw-cpu" />
          <Fact label="RAM" value={`${gbFromMb(hardware.ramFreeMb)} free of ${gbFromMb(hardware.ramTotalMb)}`} testId="hw-ram" />
          <Fact label="Disk" value={`${gbFromMb(hardware.disk.freeMb)} free in ${hardware.disk.path}`} testId="hw-disk" />
          <Fact label="System" value={`${hardware.os.distro} ${hardware.os.release} (${hardware.os.arch})`} />
        </tbody>
      </table>
    </section>
  );
}
