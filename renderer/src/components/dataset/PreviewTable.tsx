/** The first rows as Hone read them: the line they came from and the conversation they became. */
import type { DatasetReport, NormalisedMessage, NormalisedRow } from '../../../../electron/shared/types/dataset';

const clip = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

function Turns({ msgs }: { msgs: NormalisedMessage[] }) {
  return (
    <div className="ds-turns">
      {msgs.map((m, i) => (
        <div key={i} className={`ds-turn ds-${m.role}`}>
          <span className="ds-role">{m.role}</span> {clip(m.content)}
        </div>
      ))}
    </div>
  );
}

function Row({ row }: { row: NormalisedRow }) {
  if ('prompt' in row) {
    return (
      <>
        <td>
          <Turns msgs={row.prompt} />
        </td>
        <td>
          <Turns msgs={row.chosen} />
        </td>
        <td>
          <Turns msgs={row.rejected} />
        </td>
      </>
    );
  }
  return <td>{'messages' in row ? <Turns msgs={row.messages} /> : clip(row.text)}</td>;
}

export function PreviewTable({ report }: { report: DatasetReport }) {
  const dpo = report.detection.format === 'dpo';
  const where = report.locator === 'line' ? 'Line' : 'Record';
  return (
    <section className="card" data-testid="dataset-preview">
      <h2>First rows</h2>
      {report.preview.length === 0 ? (
        <p className="muted">No good rows to show.</p>
      ) : (
        <div className="ds-scroll">
          <table>
            <thead>
              <tr>
                <th>{where}</th>
                {dpo ? (
                  <>
                    <th>Prompt</th>
                    <th>Chosen</th>
                    <th>Rejected</th>
                  </>
                ) : (
                  <th>Conversation</th>
                )}
              </tr>
            </thead>
            <tbody>
              {report.preview.map((p) => (
                <tr key={p.line} data-testid="dataset-preview-row">
                  <td>{p.line}</td>
                  <Row row={p.row} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
