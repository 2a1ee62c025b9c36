/** Sizes the way the hardware and plan views print them. */
export const gbFromMb = (mb: number | null | undefined): string => (mb === null || mb === undefined ? '?' : `${(mb / 1024).toFixed(1)} GB`);
export const gb = (n: number): string => (n < 1 ? `${Math.round(n * 1024)} MB` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} GB`);
