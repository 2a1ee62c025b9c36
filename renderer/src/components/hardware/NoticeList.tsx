import type { HardwareNotice } from '../../../../electron/shared/types/hardware';

/** Every notice but CPU_ONLY (which has its own banner), most serious first. */
export function NoticeList({ notices }: { notices: HardwareNotice[] }) {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const shown = notices.filter((n) => n.code !== 'CPU_ONLY').sort((a, b) => order[a.level] - order[b.level]);
  if (!shown.length) return null;
  return (
    <div className="step" style={{ gap: 8 }} data-testid="hardware-notices">
      {shown.map((n, i) => (
        <div key={`${n.code}-${i}`} className={`banner ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-testid={`hardware-notice-${n.code}`}>
          {n.message}
        </div>
      ))}
    </div>
  );
}
