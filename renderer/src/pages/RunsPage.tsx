/**
 * Run history: every run, open one to see its charts (live if it is training), compare the loss of
 * several, resume, delete with its files after a confirmation.
 */
import { useEffect, useState } from 'react';
import { bridge, errorText } from '../bridge';
import { dropRun, useRuns, watchList } from '../stores/runs';
import { useWizard } from '../stores/wizard';
import { RunsTable } from '../components/runs/RunsTable';
import { LossOverlay } from '../components/runs/LossOverlay';
import { RunDashboard } from '../components/runs/RunDashboard';
import { MemoryAccuracy } from '../components/runs/MemoryAccuracy';

export function RunsPage() {
  const list = useRuns((s) => s.list);
  const refreshList = useRuns((s) => s.refreshList);
  const { patch, goTo } = useWizard();
  const [open, setOpen] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string } | null>(null);

  useEffect(() => {
    watchList();
    refreshList().catch((e) => setError(errorText(e)));
  }, [refreshList]);

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const remove = async (id: string) => {
    setError(null);
    try {
      await bridge.invoke('runs.delete', { runId: id });
      dropRun(id);
      setOpen(null);
      setConfirming(false);
      setSelected((s) => new Set([...s].filter((x) => x !== id)));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const current = open ? list.find((r) => r.id === open) : null;
  const compared = list.filter((r) => selected.has(r.id));
  return (
    <div className="wizard" style={{ gridTemplateColumns: '1fr' }}>
      {error && (
        <div className="banner error" role="alert">
          {error.message}
          {error.hint && <div className="muted">{error.hint}</div>}
        </div>
      )}
      {open ? (
        <>
          <div className="row">
            <button type="button" data-testid="runs-back" onClick={() => setOpen(null)}>
              ← All runs
            </button>
          </div>
          <RunDashboard runId={open}>
            {current?.status === 'completed' && (
              <button type="button" data-testid="run-export" onClick={() => { patch({ runId: open }); goTo('export'); }}>
                Export
              </button>
            )}
            {current && !['preparing', 'training', 'stopping'].includes(current.status) && (
              confirming ? (
                <span className="row" role="alertdialog" aria-label="Confirm delete">
                  <span>Delete this run and its files ({current.outputDir})?</span>
                  <button type="button" className="danger" data-testid="run-delete-confirm" onClick={() => void remove(open)}>Delete</button>
                  <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
                </span>
              ) : (
                <button type="button" data-testid="run-delete" onClick={() => setConfirming(true)}>Delete…</button>
              )
            )}
          </RunDashboard>
        </>
      ) : (
        <section className="card">
          <h2>Runs</h2>
          <MemoryAccuracy />
          <RunsTable runs={list} selected={selected} onToggle={toggle} onOpen={(id) => { setConfirming(false); setOpen(id); }} />
          {compared.length > 0 && (
            <div style={{ marginTop: 16 }}>
              <LossOverlay runs={compared} />
            </div>
          )}
        </section>
      )}
    </div>
  );
}
