import { useEffect } from 'react';
import { pickRepo } from '../../../../electron/shared/model-repo';
import type { ModelSpec } from '../../../../electron/shared/types/model';
import type { Plan } from '../../../../electron/shared/types/plan';
import { useDownloads } from '../../stores/downloads';
import { useWizard } from '../../stores/wizard';
import { ProgressBar } from '../ProgressBar';
import { HubTokenForm } from './HubTokenForm';

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

/**
 * Whether the weights a training of the chosen model will load are on this machine, and fetching them.
 * Reads the wizard's model and plan unless given them, so the Model step drops it in with one line.
 */
export function DownloadPanel(props: { spec?: ModelSpec | null; plan?: Plan | null }) {
  const wizardModel = useWizard((s) => s.model);
  const wizardPlan = useWizard((s) => s.plan);
  const spec = props.spec !== undefined ? props.spec : wizardModel;
  const plan = props.plan !== undefined ? props.plan : wizardPlan;
  const { local, progress, active, errors, load, download, cancel } = useDownloads();

  useEffect(() => {
    void load();
    // Once on mount: load is a stable zustand action; later changes arrive as events.
  }, []);

  if (!spec) return null;
  if (spec.localPath) {
    return (
      <section className="card" data-testid="download-panel" data-state="ready">
        <span className="badge ok">On this machine</span> <span className="muted">{spec.localPath}: a local folder works offline.</span>
      </section>
    );
  }
  const repo = pickRepo(spec, plan);
  if (!repo) return null; // the demo model: built on this machine, nothing to download

  const error = errors[repo];
  const gated = error?.code === 'GATED_MODEL' || (spec.gated && repo === spec.hfId);
  const state = local[repo] ? 'ready' : active[repo] ? 'downloading' : 'missing';
  const p = progress[repo];

  return (
    <section className="card" data-testid="download-panel" data-state={state} data-repo={repo}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div>
          <strong>Weights</strong> <code>{repo}</code>
          {repo === spec.hfId4bit && <span className="muted"> (4-bit, for QLoRA)</span>}
        </div>
        {state === 'ready' && <span className="badge ok">Downloaded · {size(local[repo].sizeBytes)}</span>}
        {state === 'missing' && <span className="badge">Not downloaded</span>}
      </div>

      {state === 'downloading' && (
        <div className="row" style={{ alignItems: 'flex-end' }}>
          <div style={{ flex: 1 }}>
            <ProgressBar testId="download-progress" progress={p ?? { stage: 'Starting', done: 0, total: null, unit: 'bytes' }} />
          </div>
          <button type="button" data-testid="download-cancel" onClick={() => void cancel(repo)}>
            Cancel
          </button>
        </div>
      )}

      {state === 'missing' && (
        <div className="row">
          <button type="button" className="primary" data-testid="download-start" onClick={() => void download(repo)}>
            {error?.code === 'CANCELLED' || error?.code === 'NO_NETWORK' ? 'Download again (resumes)' : 'Download from Hugging Face'}
          </button>
          <span className="muted">Or pick &quot;Use a local folder&quot;: that works offline.</span>
        </div>
      )}

      {error && error.code !== 'GATED_MODEL' && (
        <div className={error.code === 'CANCELLED' ? 'muted' : 'error-box'} data-testid="download-error" data-code={error.code}>
          {error.message} {error.hint}
        </div>
      )}

      {gated && state !== 'ready' && (
        <div className="banner warning" data-testid="download-gated">
          <p>
            {error?.code === 'GATED_MODEL' ? `${error.message} ` : `${repo} is gated. `}
            Accept its licence on{' '}
            <a href={`https://huggingface.co/${repo}`} target="_blank" rel="noreferrer">
              huggingface.co/{repo}
            </a>
            , then paste an access token with read permission (from huggingface.co/settings/tokens).
          </p>
          <HubTokenForm />
        </div>
      )}
    </section>
  );
}
