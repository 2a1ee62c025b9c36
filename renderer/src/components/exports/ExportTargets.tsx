/**
 * The file targets of the Export step, after Send to Ollama: a GGUF file, LM Studio, the adapter bundle and the
 * model card. Loaded on mount and after each export (no polling); "Check again" re-reads them (Ollama or LM
 * Studio started meanwhile).
 */
import { useEffect, useState } from 'react';
import { useExports } from '../../stores/exports';
import { CardFields, cardOptions, type CardDraft } from './CardFields';
import { TargetRow } from './TargetRow';
import './exports.css';

export function ExportTargets({ runId }: { runId: string }) {
  const targets = useExports((s) => s.targets[runId]);
  const loadError = useExports((s) => s.loadError[runId]);
  const revealError = useExports((s) => s.revealError);
  const load = useExports((s) => s.load);
  const start = useExports((s) => s.start);
  const [card, setCard] = useState<CardDraft>({ license: '', tags: '', datasets: '' });

  useEffect(() => {
    void load(runId);
  }, [load, runId]);

  const info = Object.fromEntries((targets ?? []).map((t) => [t.target, t]));
  return (
    <section className="card" data-testid="export-targets">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>Take it elsewhere</h2>
        <button type="button" onClick={() => void load(runId)} data-testid="export-targets-recheck">
          Check again
        </button>
      </div>
      {loadError && <div className="banner error">{loadError}</div>}
      {revealError && (
        <div className="banner error" data-testid="reveal-error">
          {revealError}
        </div>
      )}
      {!targets && !loadError && <p className="muted">Looking at what this run can be exported as…</p>}
      {info.gguf && (
        <TargetRow
          runId={runId}
          info={info.gguf}
          title="GGUF file"
          description="One file for llama.cpp, LM Studio, Jan or Ollama, with the model's own chat template inside."
          action="Save GGUF file"
          onStart={(quantize) => void start(runId, 'gguf', { quantize })}
        />
      )}
      {info.lmstudio && (
        <TargetRow
          runId={runId}
          info={info.lmstudio}
          title="LM Studio"
          description="Puts the GGUF file in LM Studio's models folder (making it first if needed); it then shows under My Models."
          action="Add to LM Studio"
          onStart={(quantize) => void start(runId, 'lmstudio', { quantize })}
        />
      )}
      {info.adapter && (
        <TargetRow
          runId={runId}
          info={info.adapter}
          title="Adapter bundle"
          description="A zip of the LoRA adapter, the tokenizer with its chat template, and a model card: loads with PEFT onto the base model, ready to share."
          action="Save adapter bundle"
          onStart={() => void start(runId, 'adapter', { card: cardOptions(card) })}
        >
          <CardFields value={card} onChange={setCard} />
        </TargetRow>
      )}
      {info.card && (
        <TargetRow
          runId={runId}
          info={info.card}
          title="Model card"
          description="README.md in the run folder, in Hugging Face's format: how the model was trained and how it scores (the details above apply)."
          action="Write model card"
          onStart={() => void start(runId, 'card', { card: cardOptions(card) })}
        />
      )}
    </section>
  );
}
