/**
 * Export: a completed run → a model in Ollama, then a chat with it (Ollama's status and what to do when it is
 * not running, the form, the progress, the run's earlier exports); then the file targets: a GGUF file, LM
 * Studio, the adapter bundle and the model card.
 */
import { useCallback, useEffect, useState } from 'react';
import { bridge } from '../bridge';
import { useWizard } from '../stores/wizard';
import { useOllama } from '../stores/ollama';
import { OllamaStatusCard } from '../components/ollama/OllamaStatusCard';
import { ExportForm, type ExportFormValue } from '../components/ollama/ExportForm';
import { ExportProgressPanel } from '../components/ollama/ExportProgressPanel';
import { ExportHistory } from '../components/ollama/ExportHistory';
import { ExportTargets } from '../components/exports/ExportTargets';
import { useExports } from '../stores/exports';
import type { RunDetail } from '../../../electron/shared/types/runs';
import '../components/ollama/ollama.css';

/** A valid Ollama name from the run's name: lowercase, [a-z0-9._-], starting with a letter or digit. */
export function suggestName(runName: string): string {
  const slug = runName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 60);
  return slug || 'my-model';
}

export function ExportStep() {
  const { runId, model, patch, setView, goTo } = useWizard();
  const [run, setRun] = useState<RunDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const exportState = useOllama((s) => (runId ? s.exports[runId] : undefined));
  const status = useOllama((s) => s.status);
  const send = useOllama((s) => s.send);
  const clearExport = useOllama((s) => s.clearExport);
  const loadTargets = useExports((s) => s.load);

  const loadRun = useCallback(async () => {
    if (!runId) return;
    try {
      setRun(await bridge.invoke('runs.get', { runId }));
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, [runId]);

  useEffect(() => {
    void loadRun();
  }, [loadRun]);
  // The run's export history gains a row when an export finishes.
  // A model now in Ollama is what a GGUF export of that quantisation reuses.
  useEffect(() => {
    if (!exportState?.done) return;
    void loadRun();
    if (runId) void loadTargets(runId);
  }, [exportState?.done, loadRun, loadTargets, runId]);

  if (!runId) {
    return (
      <section className="card">
        <h2>Export</h2>
        <p>Train a model first: the export takes a completed run.</p>
        <button type="button" onClick={() => goTo('train')}>
          Go to Train
        </button>
      </section>
    );
  }
  if (loadError) return <section className="card error-box">{loadError}</section>;
  if (!run) return <section className="card muted">Loading the run…</section>;
  if (run.status !== 'completed') {
    return (
      <section className="card" data-testid="export-not-ready">
        <h2>Export</h2>
        <p>
          Run <strong>{run.name}</strong> is {run.status}. Only a completed run can be sent to Ollama.
        </p>
        <button type="button" onClick={() => goTo('train')}>
          Back to Train
        </button>
      </section>
    );
  }

  const chat = (name: string) => {
    patch({ chatModel: name });
    setView('chat');
  };
  const onSend = (v: ExportFormValue, overwrite: boolean) =>
    void send({ runId, name: v.name.trim(), quantize: v.quantize, system: v.system.trim() || undefined, overwrite });
  const needsConfirm = exportState?.error?.code === 'MODEL_EXISTS';
  const showForm = !exportState || needsConfirm;

  return (
    <>
      <OllamaStatusCard />
      {showForm ? (
        <ExportForm
          initial={
            exportState
              ? { name: exportState.request.name, quantize: exportState.request.quantize, system: exportState.request.system ?? '' }
              : { name: suggestName(run.name), quantize: 'q4_K_M', system: '' }
          }
          paramsB={model?.paramsB}
          disabled={!status?.running || !!status.hint || !!exportState?.sending}
          confirmOverwrite={needsConfirm}
          onCancelOverwrite={() => clearExport(runId)}
          onSend={onSend}
        />
      ) : (
        <ExportProgressPanel state={exportState} onChat={chat} onAgain={() => clearExport(runId)} />
      )}
      <ExportHistory exports={run.exports} onChat={chat} />
      <ExportTargets runId={runId} />
    </>
  );
}
