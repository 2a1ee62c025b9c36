/** Example rows: prompt, reference, base and fine-tuned replies, with what each reply does not share with the reference marked. */
import { useState } from 'react';
import { replyDiff } from '../../../../electron/shared/eval-diff';
import { lastUserTurn } from '../../../../electron/shared/eval-verdict';
import type { EvalReport, EvalScores } from '../../../../electron/shared/types/eval';

const SHOWN = 8;

function Reply({ reference, text, scores, testId }: { reference: string; text: string; scores: EvalScores; testId: string }) {
  const parts = replyDiff(reference, text);
  return (
    <td className="eval-reply" data-testid={testId}>
      <div className="eval-text">{parts.length ? parts.map((p, i) => (p.same ? <span key={i}>{p.text}</span> : <mark key={i}>{p.text}</mark>)) : <em className="muted">(empty)</em>}</div>
      <div className="muted eval-row-score">
        ROUGE-L {scores.rouge_l.toFixed(2)} · chrF {scores.chrf.toFixed(2)}
        {scores.json_valid !== null && (scores.json_valid ? ' · JSON ✓' : ' · JSON ✗')}
      </div>
    </td>
  );
}

export function EvalExamples({ report }: { report: EvalReport }) {
  const [all, setAll] = useState(false);
  const o = report.ollama;
  const rows = all ? report.examples : report.examples.slice(0, SHOWN);
  return (
    <div data-testid="eval-examples">
      <p className="muted">Marked: the parts of a reply that the reference does not have.</p>
      <div style={{ overflowX: 'auto' }}>
        <table className="eval-examples">
          <thead>
            <tr>
              <th>Prompt</th>
              <th>Reference</th>
              <th>Base</th>
              <th>Fine-tuned</th>
              {o && <th>Fine-tuned in Ollama</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((ex) => (
              <tr key={ex.index} data-testid={`eval-example-${ex.index}`}>
                <td className="eval-text" title={ex.prompt.map((m) => `${m.role}: ${m.content}`).join('\n\n')}>
                  {lastUserTurn(ex.prompt)}
                </td>
                <td className="eval-text">{ex.reference}</td>
                <Reply reference={ex.reference} text={ex.base} scores={ex.scores.base} testId={`eval-example-${ex.index}-base`} />
                <Reply reference={ex.reference} text={ex.tuned} scores={ex.scores.tuned} testId={`eval-example-${ex.index}-tuned`} />
                {o?.examples[ex.index] && <Reply reference={ex.reference} text={o.examples[ex.index].tuned} scores={o.examples[ex.index].scores.tuned} testId={`eval-example-${ex.index}-ollama`} />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.examples.length > SHOWN && (
        <button type="button" className="link" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${report.examples.length} rows`}
        </button>
      )}
    </div>
  );
}
