/** The export's progress through hashing, upload, creation and quantisation; then the way to chat with it. */
import type { ExportState } from '../../stores/ollama';
import { ProgressBar } from '../ProgressBar';

const STAGES: { id: string; label: string }[] = [
  { id: 'hashing', label: 'Checking files' },
  { id: 'uploading', label: 'Uploading to Ollama' },
  { id: 'creating', label: 'Creating the model' },
  { id: 'quantizing', label: 'Quantising' },
  { id: 'checking', label: 'Checking the prompt' },
  { id: 'done', label: 'Ready' },
];

export function ExportProgressPanel({ state, onChat, onAgain }: { state: ExportState; onChat(name: string): void; onAgain(): void }) {
  const { progress, done, error, sending } = state;
  const current = STAGES.findIndex((s) => s.id === (done ? 'done' : progress?.stage));
  return (
    <section className="card">
      <h2>{done ? 'In Ollama' : error ? 'Not sent' : 'Sending to Ollama'}</h2>
      <ol className="export-stages">
        {STAGES.map((s, i) => (
          <li key={s.id} className={i < current || done ? 'done' : i === current ? 'active' : ''}>
            {s.label}
          </li>
        ))}
      </ol>
      {!done && progress && !error && <ProgressBar testId="export-progress" progress={{ ...progress, stage: STAGES.find((s) => s.id === progress.stage)?.label ?? progress.stage }} />}
      {!done && !progress && sending && <ProgressBar testId="export-progress" progress={{ stage: 'Preparing', done: 0, total: null, unit: 'bytes' }} />}
      {error && !done && (
        <div className="banner error" data-testid="export-error" data-code={error.code}>
          <div>{error.message}</div>
          {error.hint && <div className="muted">{error.hint}</div>}
          <button type="button" style={{ marginTop: 8 }} onClick={onAgain}>
            Back
          </button>
        </div>
      )}
      {done && (
        <div className="banner info row" data-testid="export-done" style={{ justifyContent: 'space-between' }}>
          <span>
            <strong>{done.name}</strong> is ready. In a terminal: <code>ollama run {done.name}</code>
          </span>
          <span className="row">
            <button type="button" className="primary" data-testid="export-chat" onClick={() => onChat(done.name)}>
              Chat with it
            </button>
            <button type="button" onClick={onAgain}>
              Send again
            </button>
          </span>
        </div>
      )}
    </section>
  );
}
