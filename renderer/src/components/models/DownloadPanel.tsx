import { useEffect, useState } from 'react';
import { pickRepo } from '../../../../electron/shared/model-repo';
import type { ModelSpec } from '../../../../electron/shared/types/model';
import type { Plan } from '../../../../electron/shared/types/plan';
import { tokenSourceText, useDownloads } from '../../stores/downloads';
import { useWizard } from '../../stores/wizard';
import { ProgressBar } from '../ProgressBar';
import { HubTokenForm } from './HubTokenForm';
import { sizeText } from './size';

const size = sizeText;

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '');

/**
 * Whether the weights a training of the chosen model will load are on this machine (Hone's downloads and
 * the Hugging Face cache alike), fetching them at a chosen revision, and offering the Hub's newer commit.
 * Reads the wizard's model and plan unless given them, so the Model step drops it in with one line.
 */
export function DownloadPanel(props: { spec?: ModelSpec | null; plan?: Plan | null }) {
  const wizardModel = useWizard((s) => s.model);
  const wizardPlan = useWizard((s) => s.plan);
  const spec = props.spec !== undefined ? props.spec : wizardModel;
  const plan = props.plan !== undefined ? props.plan : wizardPlan;
  const { local, progress, active, errors, updates, token, load, download, cancel, checkUpdate } = useDownloads();
  const [revision, setRevision] = useState('');

  useEffect(() => {
    void load();
    // Once on mount: load is a stable zustand action; later changes arrive as events.
  }, []);

  const repo = spec && !spec.localPath ? pickRepo(spec, plan) : null;
  const here = repo ? local[repo] : undefined;
  // Once a download is here (and each time it changes), ask whether the Hub has moved on.
  useEffect(() => {
    if (repo && here) void checkUpdate(repo);
  }, [repo, here?.commit]);

  if (!spec) return null;
  if (spec.localPath) {
    return (
      <section className="card" data-testid="download-panel" data-state="ready">
        <span className="badge ok">On this machine</span> <span className="muted">{spec.localPath}: a local folder works offline.</span>
      </section>
    );
  }
  if (!repo) return null; // the demo model: built on this machine, nothing to download

  const error = errors[repo];
  const gated = error?.code === 'GATED_MODEL' || (spec.gated && repo === spec.hfId);
  const state = here ? 'ready' : active[repo] ? 'downloading' : 'missing';
  const p = progress[repo];
  const update = updates[repo];
  const rev = revision.trim() || null;

  return (
    <section className="card" data-testid="download-panel" data-state={state} data-repo={repo}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div>
          <strong>Weights</strong> <code>{repo}</code>
          {repo === spec.hfId4bit && <span className="muted"> (4-bit, for QLoRA)</span>}
        </div>
        {state === 'ready' && (
          <span className="badge ok" data-testid="download-ready" title={here!.path}>
            {here!.store === 'hf-cache' ? 'In the Hugging Face cache' : 'Downloaded'} · {size(here!.sizeBytes)}
            {here!.commit ? ` · ${short(here!.commit)}` : ''}
          </span>
        )}
        {state === 'missing' && <span className="badge">Not downloaded</span>}
      </div>

      {(state === 'downloading' || (state === 'ready' && active[repo])) && (
        <div className="row" style={{ alignItems: 'flex-end' }}>
          <div style={{ flex: 1 }}>
            <ProgressBar testId="download-progress" progress={p ?? { stage: 'Starting', done: 0, total: null, unit: 'bytes' }} />
          </div>
          <button type="button" data-testid="download-cancel" onClick={() => void cancel(repo)}>
            Cancel
          </button>
        </div>
      )}

      {state === 'ready' && update?.updateAvailable && !active[repo] && (
        <div className="banner info row" data-testid="download-update">
          <span>
            The Hub has a newer commit of <code>{update.revision}</code> ({short(update.localCommit)} → {short(update.remoteCommit)}
            {update.files ? `: ${update.files} changed file${update.files > 1 ? 's' : ''}, ${size(update.bytes)}` : ': no file to fetch'}). Chat template and tokenizer fixes arrive this way.
          </span>
          <button type="button" data-testid="download-update-start" onClick={() => void download(repo, { update: true })}>
            Update
          </button>
        </div>
      )}

      {state !== 'downloading' && !active[repo] && (
        <div className="row">
          {state === 'missing' && (
            <button type="button" className="primary" data-testid="download-start" onClick={() => void download(repo, rev ? { revision: rev } : {})}>
              {error?.code === 'CANCELLED' || error?.code === 'NO_NETWORK' || error?.code === 'RATE_LIMITED' ? 'Download again (resumes)' : 'Download from Hugging Face'}
            </button>
          )}
          <label className="muted">
            Revision{' '}
            <input
              data-testid="download-revision"
              placeholder="main"
              aria-label="Revision: a branch, tag or commit"
              spellCheck={false}
              value={revision}
              onChange={(e) => setRevision(e.target.value)}
              style={{ width: 140 }}
            />
          </label>
          {state === 'ready' && rev && (
            <button type="button" data-testid="download-revision-start" onClick={() => void download(repo, { revision: rev })}>
              Use this revision
            </button>
          )}
          {state === 'missing' && <span className="muted">Or pick &quot;Use a local folder&quot;: that works offline.</span>}
        </div>
      )}

      {error && error.code !== 'GATED_MODEL' && (
        <div className={error.code === 'CANCELLED' ? 'muted' : 'error-box'} data-testid="download-error" data-code={error.code}>
          {error.message} {error.hint}
        </div>
      )}

      {gated && state !== 'ready' && (
        <div className="banner warning" data-testid="download-gated">
          {error?.code === 'GATED_MODEL' ? (
            <p>
              {error.message} <strong>{error.hint}</strong>
            </p>
          ) : (
            <p>
              {repo} is gated. Accept its licence on{' '}
              <a href={`https://huggingface.co/${repo}`} target="_blank" rel="noreferrer">
                huggingface.co/{repo}
              </a>
              , then {token?.hasToken ? `download: Hone will use ${tokenSourceText(token)}.` : 'paste an access token with read permission (from huggingface.co/settings/tokens), or run `hf auth login`.'}
            </p>
          )}
          <HubTokenForm />
        </div>
      )}
    </section>
  );
}
