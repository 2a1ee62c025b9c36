import type { ModelSpec } from '../../../../electron/shared/types/model';
import type { Fit } from '../../stores/catalog';
import { FitBadge } from './FitBadge';
import { sizeLabel } from './filter';

/** One row of the picker: name, size, licence, gated flag and whether it fits. */
export function ModelOption({ model, fit, selected, onPick }: { model: ModelSpec; fit: Fit | undefined; selected: boolean; onPick(): void }) {
  return (
    <li>
      <button
        type="button"
        data-testid={`model-option-${model.id}`}
        aria-pressed={selected}
        onClick={onPick}
        style={{ width: '100%', textAlign: 'left', borderColor: selected ? 'var(--accent)' : undefined, borderWidth: selected ? 2 : 1 }}
      >
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <strong>{model.name}</strong>
          <FitBadge fit={fit} testId={`fit-badge-${model.id}`} />
        </div>
        <div className="row muted" style={{ fontSize: 13, gap: 8 }}>
          <span>{sizeLabel(model.paramsB)}</span>
          <span>· {model.license}</span>
          {model.gated && <span className="badge warn" title="Accept the licence on Hugging Face and add a token to download">gated</span>}
          {model.demo && <span className="badge">demo: trains on a CPU in about a minute</span>}
          {model.localPath && <span>· {model.localPath}</span>}
          {!model.ollamaImport && (
            <span className="badge warn" data-testid={`ollama-warning-${model.id}`} title={model.ollamaImportNote}>
              cannot be sent to Ollama as is
            </span>
          )}
        </div>
        {!model.ollamaImport && selected && (
          <div className="muted" data-testid="ollama-warning-note" style={{ fontSize: 13, marginTop: 4 }}>
            {model.ollamaImportNote ?? 'Ollama cannot import this architecture.'} You can still train it; to run the result in Ollama, export a GGUF with llama.cpp.
          </div>
        )}
      </button>
    </li>
  );
}
