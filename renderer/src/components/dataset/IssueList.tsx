/** Every problem found, with its line (or record) and field; errors first in the counts, file order below. */
import { useState } from 'react';
import type { DatasetIssue, DatasetReport } from '../../../../electron/shared/types/dataset';

const LABELS: Record<DatasetIssue['code'], string> = {
  INVALID_JSON: 'invalid JSON',
  MISSING_FIELD: 'missing field',
  EMPTY_FIELD: 'empty field',
  UNKNOWN_ROLE: 'unknown role',
  NOT_ENDING_WITH_ASSISTANT: 'does not end with the assistant',
  ROLES_NOT_ALTERNATING: 'roles do not alternate',
  CHOSEN_EQUALS_REJECTED: 'chosen = rejected',
  DUPLICATE_ROW: 'duplicate',
  TOO_LONG: 'longer than max length',
  INVALID_UTF8: 'not UTF-8',
  WRONG_TYPE: 'wrong type',
  INVALID_RECORD: 'unreadable record',
  TEMPLATE_ERROR: 'refused by the chat template',
};

const SHOWN = 100;

export function IssueList({ report }: { report: DatasetReport }) {
  const [all, setAll] = useState(false);
  const counts = Object.entries(report.issueCounts) as [DatasetIssue['code'], number][];
  const where = report.locator === 'line' ? 'Line' : 'Record';
  const shown = all ? report.issues : report.issues.slice(0, SHOWN);
  return (
    <section className="card" data-testid="dataset-issues">
      <h2>Problems</h2>
      {counts.length === 0 ? (
        <p data-testid="dataset-no-issues">No problems found in {report.rowsRead.toLocaleString()} rows.</p>
      ) : (
        <>
          <div className="row" style={{ marginBottom: 8 }}>
            {counts.map(([code, n]) => {
              const error = report.issues.find((i) => i.code === code)?.severity !== 'warning';
              return (
                <span key={code} className={`badge ${error ? 'err' : 'warn'}`} data-testid={`dataset-issue-count-${code}`}>
                  {LABELS[code]}: {n.toLocaleString()}
                </span>
              );
            })}
          </div>
          <div className="ds-scroll">
            <table>
              <thead>
                <tr>
                  <th>{where}</th>
                  <th />
                  <th>Field</th>
                  <th>Problem</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((i, k) => (
                  <tr key={k} data-testid="dataset-issue" data-line={i.line} data-code={i.code}>
                    <td>{i.line || '—'}</td>
                    <td>
                      <span className={`badge ${i.severity === 'error' ? 'err' : 'warn'}`}>{i.severity}</span>
                    </td>
                    <td>
                      <code>{i.field ?? ''}</code>
                    </td>
                    <td>{i.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.issues.length > SHOWN && !all && (
            <button type="button" onClick={() => setAll(true)}>
              Show all {report.issues.length.toLocaleString()}
            </button>
          )}
          {report.issuesTruncated > 0 && <p className="muted">…and {report.issuesTruncated.toLocaleString()} more not listed (the counts above cover the whole file; `hone data check` lists them all).</p>}
        </>
      )}
    </section>
  );
}
