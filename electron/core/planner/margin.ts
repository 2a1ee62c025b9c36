/**
 * The safety margin every plan and every memory check keeps below the budget (issue #16). One rule, used by
 * the planner's search (a plan is accepted only at or under `usableGb`), by the run start (a plan from the
 * wire above it is refused) and by the memory check at the start of a run (a measured peak above it makes
 * the run plan again).
 *
 * On CUDA the margin is max(0.5 GB, 5% of the budget):
 * - 0.5 GB: PyTorch's caching allocator fragments (a request can fail with that much reserved but in pieces
 *   too small), the CUDA context and cuBLAS/Triton workspaces vary by driver and card, and the desktop may take
 *   a little more while training runs.
 * - 5%: on large cards a fixed half gigabyte is lost in the noise of the estimate itself (a 2% error on 80 GB
 *   is 1.6 GB).
 * On the CPU (process memory, no allocator reserve or CUDA context to guard against) only the 5% applies.
 */
export const MARGIN_MIN_GB = 0.5;
export const MARGIN_SHARE = 0.05;

export function marginGb(budgetGb: number, device: 'cuda' | 'cpu'): number {
  const share = MARGIN_SHARE * Math.max(0, budgetGb);
  return device === 'cuda' ? Math.max(MARGIN_MIN_GB, share) : share;
}

/** What a plan (or a measured peak) may use of `budgetGb`. */
export function usableGb(budgetGb: number, device: 'cuda' | 'cpu'): number {
  return Math.max(0, budgetGb - marginGb(budgetGb, device));
}

/** Whether `gb` stays within the margin; a rounding hair (what a plan's two decimals lose) is allowed. */
export function withinMargin(gb: number, budgetGb: number, device: 'cuda' | 'cpu'): boolean {
  return gb <= usableGb(budgetGb, device) + 0.005;
}

const gb = (v: number) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} GB`;

/** The plan's last reason: the estimate against the budget, the margin kept and what is left. */
export function marginReason(totalGb: number, budgetGb: number, device: 'cuda' | 'cpu'): string {
  const margin = marginGb(budgetGb, device);
  const usable = usableGb(budgetGb, device);
  const rule = device === 'cuda' ? `max(${MARGIN_MIN_GB} GB, ${MARGIN_SHARE * 100}%)` : `${MARGIN_SHARE * 100}%`;
  const kept = `a safety margin of ${gb(margin)} (${rule} of the ${gb(budgetGb)} budget) is kept free, so a plan may use ${gb(usable)}`;
  if (totalGb > usable + 0.005) return `Estimated peak ${gb(totalGb)}: ${gb(totalGb - usable)} more than it may use; ${kept}.`;
  return `Estimated peak ${gb(totalGb)} of the ${gb(budgetGb)} budget: ${kept}, and ${gb(budgetGb - totalGb)} stays free.`;
}
