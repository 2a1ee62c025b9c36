/** The prompt box: Enter sends (Shift+Enter for a new line), Stop while a reply streams. */
import { useState } from 'react';

export function ChatComposer(props: { disabled: boolean; streaming: boolean; onSend(text: string): void; onStop(): void; onClear(): void }) {
  const [text, setText] = useState('');
  const send = () => {
    if (!text.trim() || props.disabled || props.streaming) return;
    props.onSend(text);
    setText('');
  };
  return (
    <div className="chat-composer">
      <textarea
        data-testid="chat-input"
        rows={2}
        placeholder={props.disabled ? 'Choose a model first' : 'Message (Enter to send, Shift+Enter for a new line)'}
        value={text}
        disabled={props.disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            send();
          }
        }}
      />
      {props.streaming ? (
        <button type="button" data-testid="chat-stop" onClick={props.onStop}>
          Stop
        </button>
      ) : (
        <button type="button" className="primary" data-testid="chat-send" disabled={props.disabled || !text.trim()} onClick={send}>
          Send
        </button>
      )}
      <button type="button" data-testid="chat-clear" onClick={props.onClear} disabled={props.streaming}>
        Clear
      </button>
    </div>
  );
}
