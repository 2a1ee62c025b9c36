/** The Model step's search and order: pure, so it is tested without a browser. */
import type { ModelSpec } from '../../../../electron/shared/types/model';

/** Models matching a search: every word must appear in the name, id, family, licence or size ("8b"). */
export function filterModels(models: ModelSpec[], query: string): ModelSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return models;
  return models.filter((m) => {
    const size = `${m.paramsB}b ${Math.round(m.paramsB)}b`;
    const hay = `${m.name} ${m.id} ${m.family} ${m.license} ${size} ${m.demo ? 'demo' : ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The demo first, then by size: small models are where most people start. */
export function sortModels(models: ModelSpec[]): ModelSpec[] {
  return [...models].sort((a, b) => Number(Boolean(b.demo)) - Number(Boolean(a.demo)) || a.paramsB - b.paramsB || a.name.localeCompare(b.name));
}

export function sizeLabel(paramsB: number): string {
  if (paramsB < 0.01) return `${Math.round(paramsB * 1e6)}K params`;
  if (paramsB < 1) return `${Math.round(paramsB * 1000)}M params`;
  return `${paramsB >= 10 ? paramsB.toFixed(0) : paramsB.toFixed(1)}B params`;
}
