import { useEffect, useRef, useState } from 'react';
import { useSettings } from '../stores/settings';
import { useRuntime } from '../stores/runtime';
import type { Settings } from '../../../electron/shared/types/settings';
import { HubSettings } from '../components/models/HubSettings';

export function SettingsPage() {
  const { settings, error, load, save } = useSettings();
  const runtime = useRuntime();
  const [python, setPython] = useState('');
  const [ollamaHost, setOllamaHost] = useState('');
  const [saved, setSaved] = useState(false);
  /** A new Python waiting for the user's yes: Hone will run it, so it is never changed on a plain Save. */
  const [confirming, setConfirming] = useState<string | null>(null);
  /** Fields the user has typed in: a reload that answers late must not wipe what they typed meanwhile. */
  const edited = useRef({ python: false, ollamaHost: false });

  useEffect(() => {
    void load().then((s) => {
      if (!edited.current.python) setPython(s?.pythonPath ?? '');
      if (!edited.current.ollamaHost) setOllamaHost(s?.ollamaHost ?? '');
    });
    void runtime.load();
    // Load once on mount; load and runtime.load are stable zustand actions.
  }, []);

  if (!settings) return <section className="card">{error ?? 'Loading settings…'}</section>;

  const submit = async (confirmed = false) => {
    setSaved(false);
    const pythonPath = python.trim() || null;
    if (pythonPath !== null && pythonPath !== settings.pythonPath && !confirmed) {
      setConfirming(pythonPath);
      return;
    }
    setConfirming(null);
    const ok = await save({ pythonPath, ollamaHost: ollamaHost.trim() || '127.0.0.1:11434', ...(confirmed ? { confirmPythonPath: true as const } : {}) });
    await runtime.load();
    setSaved(ok);
  };

  return (
    <div className="wizard" style={{ gridTemplateColumns: '1fr' }}>
      <section className="card" data-testid="settings">
        <h2>Settings</h2>
        <table>
          <tbody>
            <tr>
              <th>Data folder</th>
              <td>
                <code data-testid="settings-data-dir">{settings.dataDir}</code>
                <div className="muted">Runs, datasets, the database and Hone's Python live here. Start Hone with HONE_DATA_DIR=… to use another folder.</div>
              </td>
            </tr>
            <tr>
              <th>Python</th>
              <td>
                <input style={{ width: '100%' }} data-testid="settings-python" placeholder="Hone's own environment (recommended)" value={python} onChange={(e) => {
                    edited.current.python = true;
                    setPython(e.target.value);
                  }} />
                <div className="muted">
                  {runtime.status?.state === 'ready' ? `In use: ${runtime.status.python}` : 'Leave empty to let Hone manage its own environment.'}
                  {runtime.status?.problems.length ? <div className="error-box">{runtime.status.problems.join(' ')}</div> : null}
                </div>
              </td>
            </tr>
            <tr>
              <th>Ollama address</th>
              <td>
                <input data-testid="settings-ollama" value={ollamaHost} onChange={(e) => {
                    edited.current.ollamaHost = true;
                    setOllamaHost(e.target.value);
                  }} />
              </td>
            </tr>
            <tr>
              <th>Evaluation</th>
              <td>
                <label className="row">
                  <input type="checkbox" data-testid="settings-eval-after-training" checked={settings.evalAfterTraining !== false} onChange={(e) => void save({ evalAfterTraining: e.target.checked })} />
                  Compare the fine-tune with its base on the held-out rows when training finishes
                </label>
              </td>
            </tr>
            <tr>
              <th>Theme</th>
              <td>
                <select data-testid="settings-theme" value={settings.theme} onChange={(e) => void save({ theme: e.target.value as Settings['theme'] })}>
                  <option value="system">System</option>
                  <option value="light">Light</option>
                  <option value="dark">Dark</option>
                </select>
              </td>
            </tr>
          </tbody>
        </table>
        {confirming && (
          <div className="card warn" role="alertdialog" aria-labelledby="python-confirm-title" data-testid="settings-python-confirm">
            <strong id="python-confirm-title">Use this Python?</strong>
            <p>
              Hone will run <code>{confirming}</code> to check it now, and for every training run. Only confirm a Python you installed and trust. Hone checks that
              it answers as Python 3.10 or newer before saving it.
            </p>
            <div className="row">
              <button type="button" className="primary" data-testid="settings-python-confirm-yes" onClick={() => void submit(true)}>
                Use this Python
              </button>
              <button type="button" data-testid="settings-python-confirm-no" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        <div className="row" style={{ marginTop: 12 }}>
          <button type="button" className="primary" data-testid="settings-save" onClick={() => void submit()}>
            Save
          </button>
          {saved && <span className="badge ok">Saved</span>}
          {error && <span className="error-box">{error}</span>}
        </div>
      </section>
      <HubSettings />
    </div>
  );
}
