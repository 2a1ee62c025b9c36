/** A byte count as people read it: KB below a megabyte, MB below a gigabyte, then GB with one decimal. */
export function sizeText(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.max(bytes ? 1 : 0, Math.round(bytes / 1024))} KB`;
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}
