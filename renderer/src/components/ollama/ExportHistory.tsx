/** Where this run has been sent before (from the run's record in the store). */
import type { OllamaExportRecord } from '../../../../electron/shared/types/runs';

export function ExportHistory({ exports, onChat }: { exports: OllamaExportRecord[]; onChat(name: string): void }) {
  if (!exports.length) return null;
  return (
    <section className="card" data-testid="export-history">
      <h2>Sent before</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Quantisation</th>
            <th>When</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...exports].reverse().map((e) => (
            <tr key={`${e.name}-${e.createdAt}`}>
              <td>
                <code>{e.name}</code>
              </td>
              <td>{e.quantize}</td>
              <td title={e.digest ?? undefined}>{new Date(e.createdAt).toLocaleString()}</td>
              <td>
                <button type="button" onClick={() => onChat(e.name)}>
                  Chat
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
