/**
 * Does Ollama serve the model the sidecar evaluated? On the same rows, the tuned model in Ollama should
 * score about what it scored in the sidecar. Quantisation costs a little; a wrong chat template or a
 * missing default system prompt costs most of what the fine-tune gained (the model answers like the
 * base). Flagged: a drop of more than MIN_DROP on ROUGE-L or chrF that is also more than a quarter of the
 * fine-tune's gain on that metric (or any drop over MIN_DROP when there was no gain to lose).
 */
import type { EvalLeg, ServingMismatch } from '../../shared/types/eval';

export const MIN_DROP = 0.05;
export const SHARE_OF_GAIN = 0.25;

export function servingMismatch(sidecarBase: EvalLeg, sidecarTuned: EvalLeg, ollamaTuned: EvalLeg, tunedName: string): ServingMismatch {
  let worst: Omit<ServingMismatch, 'message'> | null = null;
  for (const metric of ['chrf', 'rouge_l'] as const) {
    const sidecar = sidecarTuned[metric];
    const ollama = ollamaTuned[metric];
    if (sidecar === null || ollama === null) continue;
    const drop = Math.round((sidecar - ollama) * 10_000) / 10_000;
    const gain = sidecar - (sidecarBase[metric] ?? sidecar);
    const flagged = drop > MIN_DROP && (gain <= 0 || drop > SHARE_OF_GAIN * gain);
    if (!worst || (flagged && !worst.flagged) || (flagged === worst.flagged && drop > worst.drop)) worst = { flagged, metric, sidecar, ollama, drop };
  }
  if (!worst) return { flagged: false, metric: 'chrf', sidecar: 0, ollama: 0, drop: 0, message: 'No scores to compare.' };
  const label = worst.metric === 'chrf' ? 'chrF' : 'ROUGE-L';
  const message = worst.flagged
    ? `Serving mismatch: in Ollama, ${tunedName} scores ${label} ${worst.ollama.toFixed(2)} on the same rows where Hone measured ${worst.sidecar.toFixed(2)}. ` +
      'Ollama is not answering the way the trained model does: usually the prompt differs (chat template or the default system prompt the model was trained with), or the quantisation hurts. Send the run again (f16 rules out the quantisation) and re-check.'
    : `Ollama serves ${tunedName} as trained: ${label} ${worst.ollama.toFixed(2)} there vs ${worst.sidecar.toFixed(2)} in Hone's own test.`;
  return { ...worst, message };
}
