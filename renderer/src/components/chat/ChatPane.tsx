/** One model's side of the conversation; the newest message stays in view while tokens stream in. */
import { useEffect, useRef } from 'react';
import type { Pane } from '../../stores/chat';

export function ChatPane({ pane, title, maxTokens }: { pane: Pane; title?: string; maxTokens?: number }) {
  const end = useRef<HTMLDivElement>(null);
  const last = pane.messages[pane.messages.length - 1];
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [pane.messages.length, last?.content, last?.thinking]);

  return (
    <div className="chat-pane card" data-testid="chat-pane" data-model={pane.model ?? ''}>
      {title && <div className="chat-pane-title">{title}</div>}
      <div className="chat-messages">
        {!pane.messages.length && <p className="muted">{pane.model ? `Say something to ${pane.model}.` : 'Choose a model above.'}</p>}
        {pane.messages.map((m, i) => {
          const streaming = pane.requestId !== null && i === pane.messages.length - 1;
          return (
            <div key={m.id} className={`chat-message ${m.role}`} data-testid={`chat-message-${m.role}`} data-streaming={streaming || undefined} data-empty={!m.content && !streaming ? '' : undefined}>
              {m.thinking && (
                <details className="chat-thinking" data-testid="chat-thinking" open={streaming && !m.content}>
                  <summary>{streaming && !m.content ? 'Thinking…' : 'Thinking'}</summary>
                  {m.thinking}
                </details>
              )}
              <div className="chat-answer" data-testid="chat-answer">
                {m.content || (streaming ? <span className="muted">{m.thinking ? '' : '…'}</span> : <span className="muted">(empty reply)</span>)}
              </div>
              {m.doneReason === 'length' && (
                <div className="chat-note muted" data-testid="chat-length-note">
                  Cut off at the reply length limit{maxTokens ? ` (${maxTokens} tokens)` : ''}. Raise “Max reply tokens” under System prompt and sampling to let it finish.
                </div>
              )}
            </div>
          );
        })}
        {pane.error && (
          <div className="banner error" data-testid="chat-error">
            {pane.error.message}
            {pane.error.hint && <div className="muted">{pane.error.hint}</div>}
          </div>
        )}
        <div ref={end} />
      </div>
    </div>
  );
}
