/** Every run: status, model, method, duration, final loss; checkboxes select runs to compare. */
import type { RunSummary } from '../../../../electron/shared/types/runs';
import { StatusBadge } from './StatusBadge';
import { duration, lossText, runSeconds } from './format';
import './runs.css';

export interface RunsTableProps {
  runs: RunSummary[];
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
  onOpen(id: string): void;
}

export function RunsTable({ runs, selected, onToggle, onOpen }: RunsTableProps) {
  if (runs.length === 0) return <p className="muted">No runs yet. Start one from the wizard’s Train step.</p>;
  return (
    <table data-testid="runs-table">
      <thead>
        <tr>
          <th aria-label="Compare" />
          <th>Run</th>
          <th>Status</th>
          <th>Model</th>
          <th>Method</th>
          <th>Steps</th>
          <th>Duration</th>
          <th>Final loss</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid={`run-row-${r.id}`} data-status={r.status}>
            <td>
              <input type="checkbox" aria-label={`Compare ${r.name}`} data-testid={`run-select-${r.id}`} checked={selected.has(r.id)} onChange={() => onToggle(r.id)} />
            </td>
            <td>
              <button type="button" className="link" data-testid={`run-open-${r.id}`} onClick={() => onOpen(r.id)}>
                {r.name}
              </button>
            </td>
            <td>
              <StatusBadge status={r.status} queuePosition={r.queuePosition} />
              {r.resumable && <span className="muted"> · resumable</span>}
            </td>
            <td>{r.model.length > 40 ? `…${r.model.slice(-38)}` : r.model}</td>
            <td>
              {r.objective.toUpperCase()} · {r.method}
              {(r.processes ?? 1) > 1 && <span data-testid="run-processes"> · {r.processes} processes</span>}
            </td>
            <td>
              {r.step}
              {r.maxSteps ? ` / ${r.maxSteps}` : ''}
            </td>
            <td>{duration(runSeconds(r.startedAt, r.endedAt))}</td>
            <td>{lossText(r.finalLoss)}</td>
            <td className="muted">{new Date(r.createdAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
