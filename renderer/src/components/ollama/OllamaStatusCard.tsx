/**
 * Whether Ollama answers, and what to do when it does not. Checked on mount and when the user asks
 * ("Check again"), never on a timer.
 */
import { useEffect } from 'react';
import { useOllama } from '../../stores/ollama';

export function OllamaStatusCard() {
  const status = useOllama((s) => s.status);
  const checking = useOllama((s) => s.checking);
  const checkStatus = useOllama((s) => s.checkStatus);

  useEffect(() => {
    void checkStatus();
  }, [checkStatus]);

  const state = !status ? 'checking' : status.running && !status.hint ? 'running' : status.running ? 'old' : 'stopped';
  return (
    <section className="card" data-testid="ollama-status" data-state={state}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>Ollama</h2>
        <button type="button" onClick={() => void checkStatus()} disabled={checking} data-testid="ollama-recheck">
          {checking ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {state === 'checking' && <p className="muted">Looking for Ollama…</p>}
      {status && state === 'running' && (
        <p>
          <span className="badge ok">running</span> Ollama {status.version} at <code>{status.host}</code>
        </p>
      )}
      {status && state === 'old' && <p className="banner warning">{status.hint}</p>}
      {status && state === 'stopped' && (
        <div className="banner warning">
          <p style={{ marginTop: 0 }}>
            <strong>Ollama is not running</strong>
            {status.host ? (
              <>
                {' '}
                at <code>{status.host}</code>
              </>
            ) : null}
            .
          </p>
          <ol style={{ marginBottom: 0 }}>
            <li>
              Installed? Start it: open the Ollama app, or run <code>ollama serve</code> in a terminal.
            </li>
            <li>
              Not installed? Get it from{' '}
              <a href="https://ollama.com/download" target="_blank" rel="noreferrer">
                ollama.com/download
              </a>
              .
            </li>
            <li>Running elsewhere? Set its address in Settings (Ollama host).</li>
          </ol>
          <p className="muted" style={{ marginBottom: 0 }}>
            Your run is kept: come back to this step, or use <code>hone send-to-ollama</code>, whenever Ollama is up.
          </p>
        </div>
      )}
    </section>
  );
}
