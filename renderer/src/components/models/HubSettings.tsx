import { useEffect, useState } from 'react';
import { bridge, errorText } from '../../bridge';
import type { HubStatus, ModelStorage } from '../../../../electron/shared/types/model-storage';
import { tokenSourceText, useDownloads } from '../../stores/downloads';
import { useSettings } from '../../stores/settings';
import { sizeText } from './size';

const KIND = { 'hf-cache': 'Hugging Face cache', folder: 'Models folder', 'hone-legacy': "Hone's earlier downloads" } as const;
const FROM: Record<string, string> = {
  HF_HUB_CACHE: 'HF_HUB_CACHE',
  HUGGINGFACE_HUB_CACHE: 'HUGGINGFACE_HUB_CACHE',
  HF_HOME: 'HF_HOME',
  XDG_CACHE_HOME: 'XDG_CACHE_HOME',
  default: 'the default, shared with transformers, Unsloth and hf',
  settings: 'chosen below',
  'data folder': 'in the data folder',
};

function proxyNote(hub: HubStatus): string {
  if (hub.proxyFrom === 'HTTPS_PROXY' || hub.proxyFrom === 'HTTP_PROXY') return `${hub.proxyFrom}=${hub.proxy} is set in Hone's environment and wins over this field.`;
  if (hub.proxyFrom === 'settings') return `In use for the Hub${hub.noProxy ? ` (except NO_PROXY: ${hub.noProxy})` : ''}.`;
  if (hub.proxyFrom === 'system') return "Empty: your system's proxy settings are used.";
  return 'Empty: a direct connection (HTTPS_PROXY and NO_PROXY are honoured when set).';
}

/** Settings for models: where they live and how much room they take, the Hub endpoint (a mirror), the proxy, the token in use. */
export function HubSettings() {
  const settings = useSettings((s) => s.settings);
  const token = useDownloads((s) => s.token);
  const loadDownloads = useDownloads((s) => s.load);
  const [storage, setStorage] = useState<ModelStorage | null>(null);
  const [hub, setHub] = useState<HubStatus | null>(null);
  const [endpoint, setEndpoint] = useState(settings?.hubEndpoint ?? '');
  const [proxy, setProxy] = useState(settings?.hubProxy ?? '');
  const [folder, setFolder] = useState(settings?.modelsDir ?? '');
  const [error, setError] = useState<ReturnType<typeof errorText> | null>(null);
  const [saved, setSaved] = useState(false);

  const refresh = async () => {
    try {
      const [s, h] = await Promise.all([bridge.invoke('models.storage'), bridge.invoke('models.hubStatus')]);
      setStorage(s);
      setHub(h);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    void refresh();
    void loadDownloads();
    if (!useSettings.getState().settings) void useSettings.getState().load();
    // Once on mount; all are stable.
  }, []);
  // The fields show what is saved (once settings arrive, and after each save).
  useEffect(() => {
    setEndpoint(settings?.hubEndpoint ?? '');
    setProxy(settings?.hubProxy ?? '');
    setFolder(settings?.modelsDir ?? '');
  }, [settings?.hubEndpoint, settings?.hubProxy, settings?.modelsDir]);

  const submit = async () => {
    setSaved(false);
    try {
      const next = await bridge.invoke('settings.set', { hubEndpoint: endpoint.trim() || null, hubProxy: proxy.trim() || null, modelsDir: folder.trim() || null });
      useSettings.setState({ settings: next });
      setError(null);
      setSaved(true);
      await refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const shown = storage?.locations.filter((l) => l.exists || l.downloadsGoHere) ?? [];
  return (
    <section className="card" data-testid="hub-settings">
      <h2>Models and the Hugging Face Hub</h2>
      <table>
        <tbody>
          <tr>
            <th>Where models live</th>
            <td data-testid="hub-settings-storage">
              {storage ? (
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {shown.map((l) => (
                    <li key={l.dir} data-testid="hub-settings-location" data-kind={l.kind}>
                      <strong>{KIND[l.kind]}</strong> <code>{l.dir}</code> <span className="muted">({FROM[l.from] ?? l.from})</span>: {l.models} model{l.models === 1 ? '' : 's'}, {sizeText(l.sizeBytes)}
                      {l.downloadsGoHere && <span className="badge ok" style={{ marginLeft: 6 }}>new downloads go here</span>}
                    </li>
                  ))}
                </ul>
              ) : (
                'Reading…'
              )}
              {storage && storage.models.length > 0 && (
                <details>
                  <summary className="muted">{storage.models.length} model{storage.models.length === 1 ? '' : 's'} on this machine</summary>
                  <ul style={{ margin: 0, paddingLeft: 18 }}>
                    {storage.models.map((m) => (
                      <li key={m.model}>
                        <code>{m.model}</code> {sizeText(m.sizeBytes)} <span className="muted">{m.commit ? m.commit.slice(0, 7) : ''}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </td>
          </tr>
          <tr>
            <th>Models folder</th>
            <td>
              <input style={{ width: '100%' }} data-testid="hub-settings-folder" placeholder="The Hugging Face cache (recommended)" value={folder} onChange={(e) => setFolder(e.target.value)} />
              <div className="muted">Empty: downloads go to the Hugging Face cache, where transformers, Unsloth and `hf` find them too. A folder here gets plain copies instead.</div>
            </td>
          </tr>
          <tr>
            <th>Hub endpoint</th>
            <td>
              <input style={{ width: '100%' }} data-testid="hub-settings-endpoint" placeholder="https://huggingface.co" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} />
              <div className="muted" data-testid="hub-settings-endpoint-note">
                {hub?.endpointFrom === 'HF_ENDPOINT' ? `HF_ENDPOINT=${hub.endpoint} is set in Hone's environment and wins over this field.` : `A mirror such as https://hf-mirror.com, or empty for huggingface.co. In use: ${hub?.endpoint ?? '…'}`}
              </div>
            </td>
          </tr>
          <tr>
            <th>Proxy</th>
            <td>
              <input style={{ width: '100%' }} data-testid="hub-settings-proxy" placeholder="http://proxy.example.com:8080" value={proxy} onChange={(e) => setProxy(e.target.value)} />
              <div className="muted" data-testid="hub-settings-proxy-note">{hub ? proxyNote(hub) : ''}</div>
            </td>
          </tr>
          <tr>
            <th>Access token</th>
            <td data-testid="hub-settings-token">{token?.source ? `In use: ${tokenSourceText(token)}.` : 'None: public models only. Add one in the Model step, set HF_TOKEN, or run `hf auth login`.'}</td>
          </tr>
        </tbody>
      </table>
      <div className="row" style={{ marginTop: 12 }}>
        <button type="button" data-testid="hub-settings-save" onClick={() => void submit()}>
          Save
        </button>
        {saved && <span className="badge ok">Saved</span>}
        {error && (
          <span className="error-box" data-testid="hub-settings-error">
            {error.message} {error.hint}
          </span>
        )}
      </div>
    </section>
  );
}
