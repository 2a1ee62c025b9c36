/**
 * Per-process figures of a multi-GPU or multi-process run (issue #15): the sidecar's rank 0 publishes every rank's
 * own readings as `rank<i>/<name>` (rank0/peak_reserved_gb, rank1/gpu_util, rank1/rss_gb, ...). The dashboard
 * draws one chart per figure with one line per rank, so a card running fuller or idler than the others shows.
 */
export interface RankChartSpec {
  id: string;
  title: string;
  /** The series names, in rank order. */
  lines: { rank: number; name: string }[];
  formatY?: (v: number) => string;
}

const TITLES: Record<string, { title: string; gb?: boolean }> = {
  peak_reserved_gb: { title: 'GPU memory per card, peak reserved (GB)', gb: true },
  gpu_util: { title: 'GPU utilisation per card (%)' },
  rss_gb: { title: 'Memory per process (GB)', gb: true },
  cpu_util: { title: 'CPU per process (% of one core)' },
};

/** The per-rank charts the series names call for, in a fixed order; none for a single-process run. */
export function rankCharts(names: Iterable<string>): RankChartSpec[] {
  const byMetric = new Map<string, { rank: number; name: string }[]>();
  for (const name of names) {
    const m = /^rank(\d+)\/(.+)$/.exec(name);
    if (!m || !(m[2] in TITLES)) continue;
    const list = byMetric.get(m[2]) ?? [];
    list.push({ rank: Number(m[1]), name });
    byMetric.set(m[2], list);
  }
  return Object.keys(TITLES)
    .filter((metric) => byMetric.has(metric))
    .map((metric) => ({
      id: `ranks-${metric.replace(/_/g, '-')}`,
      title: TITLES[metric].title,
      lines: byMetric.get(metric)!.sort((a, b) => a.rank - b.rank),
      // Processes of one run differ by megabytes: three decimals below 10 GB keep the ticks apart.
      ...(TITLES[metric].gb ? { formatY: (v: number) => (v < 10 ? v.toFixed(3) : v.toFixed(1)) } : {}),
    }));
}

/** "rank 0 (cuda:0)", from the devices the ready event listed; "rank 1" before it arrived. */
export function rankLabel(rank: number, devices: string[] | null | undefined): string {
  const d = devices?.[rank];
  return d ? `rank ${rank} (${d.replace(/ \(.*\)$/, '')})` : `rank ${rank}`;
}
