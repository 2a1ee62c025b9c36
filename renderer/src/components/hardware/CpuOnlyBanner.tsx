import type { HardwareNotice } from '../../../../electron/shared/types/hardware';

/** Shown when Hone has no NVIDIA GPU to train on: what still works, and that real models need one. */
export function CpuOnlyBanner({ notice }: { notice: HardwareNotice }) {
  return (
    <div className="banner warning" role="status" data-testid="cpu-only-banner">
      <strong>CPU only.</strong> {notice.message}
    </div>
  );
}
