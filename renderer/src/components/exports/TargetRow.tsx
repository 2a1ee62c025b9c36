/** One export target: what it makes, whether it can run now (and why not), its button, progress, result and files. */
import { useState, type ReactNode } from 'react';
import type { ExportTargetInfo, GgufQuantization } from '../../../../electron/shared/types/exports';
import { runKey, useExports } from '../../stores/exports';
import { ProgressBar } from '../ProgressBar';
import { FileLine } from './FileLine';

const STAGES: Record<string, string> = {
  converting: 'Converting in Ollama',
  writing: 'Writing the file',
  checking: 'Checking the file',
  zipping: 'Zipping',
  linking: 'Adding to LM Studio',
  done: 'Done',
};

function stageLabel(stage: string): string {
  if (stage.startsWith('gguf: ')) return `Making the GGUF file: ${(STAGES[stage.slice(6)] ?? stage.slice(6)).toLowerCase()}`;
  if (stage === 'gguf') return 'GGUF file ready';
  return STAGES[stage] ?? stage;
}

const DONE: Record<ExportTargetInfo['target'], string> = {
  gguf: 'Saved and checked.',
  lmstudio: 'Added to LM Studio: it shows under My Models (restart LM Studio if it was open).',
  adapter: 'Saved.',
  card: 'Written into the run folder.',
};

const QUANT_LABELS: Record<GgufQuantization, string> = {
  q4_K_M: 'q4_K_M: smallest, slight quality loss (recommended)',
  q5_K_M: 'q5_K_M: a little larger and closer to the original',
  q8_0: 'q8_0: about twice q4, nearly lossless',
  f16: 'f16: full 16-bit weights, largest',
};

export interface TargetRowProps {
  runId: string;
  info: ExportTargetInfo;
  title: string;
  description: ReactNode;
  action: string;
  /** Extra controls shown above the button (model card fields). */
  children?: ReactNode;
  onStart(quantize?: GgufQuantization): void;
}

export function TargetRow({ runId, info, title, description, action, children, onStart }: TargetRowProps) {
  const state = useExports((s) => s.runs[runKey(runId, info.target)]);
  const quants = info.quantizations ?? [];
  const [quantize, setQuantize] = useState<GgufQuantization>(quants.includes('q4_K_M') ? 'q4_K_M' : (quants[0] ?? 'q4_K_M'));
  const running = !!state?.running;
  const previous = info.files.filter((f) => f.path !== state?.result?.path);
  return (
    <div className="export-target" data-testid={`export-target-${info.target}`} data-available={info.available ? 'yes' : 'no'}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 style={{ margin: 0 }}>{title}</h3>
        {!info.available && <span className="badge warn">not available now</span>}
      </div>
      <p className="muted" style={{ margin: '4px 0' }}>
        {description}
      </p>
      {info.note && (
        <p className={info.available ? 'muted' : 'banner warning'} data-testid={`export-${info.target}-note`}>
          {info.note}
        </p>
      )}
      {info.location && info.target === 'lmstudio' && (
        <p className="muted">
          LM Studio&apos;s models folder: <code>{info.location}</code>
        </p>
      )}
      {children}
      <div className="row" style={{ marginTop: 8 }}>
        {quants.length > 0 && (
          <select aria-label={`${title} quantisation`} data-testid={`export-${info.target}-quantize`} value={quantize} onChange={(e) => setQuantize(e.target.value as GgufQuantization)} disabled={running}>
            {quants.map((q) => (
              <option key={q} value={q}>
                {QUANT_LABELS[q]}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="primary" data-testid={`export-${info.target}-start`} disabled={!info.available || running} onClick={() => onStart(quants.length ? quantize : undefined)}>
          {running ? 'Working…' : action}
        </button>
      </div>
      {running && <ProgressBar testId={`export-${info.target}-progress`} progress={state?.progress ? { ...state.progress, stage: stageLabel(state.progress.stage) } : { stage: 'Starting', done: 0, total: null, unit: 'items' }} />}
      {state?.error && !running && (
        <div className="banner error" data-testid={`export-${info.target}-error`} data-code={state.error.code}>
          <div>{state.error.message}</div>
          {state.error.hint && <div className="muted">{state.error.hint}</div>}
        </div>
      )}
      {state?.result && !running && (
        <div className="banner info" data-testid={`export-${info.target}-done`}>
          <div>{DONE[info.target]}</div>
          <FileLine path={state.result.path} bytes={state.result.bytes} detail={state.result.detail} />
        </div>
      )}
      {previous.length > 0 && (
        <div className="export-files" data-testid={`export-${info.target}-files`}>
          {[...previous].reverse().map((f) => (
            <FileLine key={f.path} path={f.path} bytes={f.bytes} detail={f.detail} />
          ))}
        </div>
      )}
    </div>
  );
}
