import { useState } from 'react';
import { errorText } from '../../bridge';
import type { ModelSpec } from '../../../../electron/shared/types/model';
import { useCatalog } from '../../stores/catalog';

/** "Use a local folder": a path the core reads (config.json, weights, tokenizer) into a model. */
export function LocalFolderForm({ onAdded }: { onAdded(spec: ModelSpec): void }) {
  const inspectFolder = useCatalog((s) => s.inspectFolder);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      onAdded(await inspectFolder(path));
      setPath('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card"
      data-testid="local-folder-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>Use a local folder</h2>
      <p className="muted">A Hugging Face model folder on this machine (config.json, tokenizer and *.safetensors). It works offline.</p>
      <div className="row">
        <input data-testid="local-folder-path" style={{ flex: 1, minWidth: 280 }} placeholder="/path/to/model-folder" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" data-testid="local-folder-add" disabled={busy || !path.trim()}>
          {busy ? 'Reading…' : 'Use this folder'}
        </button>
      </div>
      {error && (
        <p className="error-box" role="alert" data-testid="local-folder-error">
          {error.message} {error.hint && <span className="muted">{error.hint}</span>}
        </p>
      )}
    </form>
  );
}
