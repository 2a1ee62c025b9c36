/** Small formatters shared by the run views. */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

export function runSeconds(startedAt: string | null, endedAt: string | null, now = Date.now()): number | null {
  if (!startedAt) return null;
  const end = endedAt ? Date.parse(endedAt) : now;
  return (end - Date.parse(startedAt)) / 1000;
}

export function lossText(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(4);
}
