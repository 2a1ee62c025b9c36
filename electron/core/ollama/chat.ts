/**
 * Streaming chat through the `ollama` client: each token goes out as an 'ollama.chat' event tagged with the
 * caller's requestId (so two side-by-side answers can stream at once), and the request resolves with the whole
 * reply. Stop aborts the stream; what arrived so far is kept and returned.
 */
import { Ollama } from 'ollama';
import { HoneError } from '../../shared/errors';
import type { ChatChunk, ChatMessage, ChatOptions, ChatReply } from '../../shared/types/ollama';
import { toOllamaError } from './errors';

export interface ChatParams {
  requestId: string;
  model: string;
  messages: ChatMessage[];
  options?: ChatOptions;
}

export class ChatSessions {
  private live = new Map<string, AbortController>();

  constructor(private readonly emit: (chunk: ChatChunk) => void) {}

  async chat(baseUrl: string, p: ChatParams): Promise<ChatReply> {
    if (!p.requestId) throw new HoneError('BAD_REQUEST', 'A chat needs a requestId.');
    if (this.live.has(p.requestId)) throw new HoneError('BAD_REQUEST', `Chat ${p.requestId} is already running.`);
    const stop = new AbortController();
    this.live.set(p.requestId, stop);
    // Our own signal on every fetch the client makes: Ollama sends no headers until the model is loaded and the
    // first token is out, and the client's own abort() only exists once headers arrived. Stop must work before.
    const client = new Ollama({
      host: baseUrl,
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop.signal]) : stop.signal }),
    });
    const base = { requestId: p.requestId, model: p.model };
    let content = '';
    let thinking = '';
    let doneReason: string | null = null;
    try {
      const stream = await client.chat({
        model: p.model,
        messages: p.messages,
        stream: true,
        // Always said, never left to the server: from 0.12.4 Ollama thinks by default for thinking models, and
        // older servers ignore the field. No system message is added here: the model's own SYSTEM and template
        // (derived from what it was trained with) apply unless the user typed one, for every model alike.
        think: p.options?.think === true,
        options: {
          ...(p.options?.temperature !== undefined ? { temperature: p.options.temperature } : {}),
          ...(p.options?.maxTokens ? { num_predict: p.options.maxTokens } : {}),
        },
      });
      for await (const part of stream) {
        const piece = part.message?.content ?? '';
        const thought = part.message?.thinking ?? '';
        content += piece;
        thinking += thought;
        if (part.done) doneReason = part.done_reason ?? null;
        if (piece || thought || part.done) {
          this.emit({ ...base, content: piece, ...(thought ? { thinking: thought } : {}), done: part.done, ...(part.done && doneReason ? { doneReason } : {}) });
        }
      }
      return { content, thinking, doneReason };
    } catch (err) {
      if (stop.signal.aborted) {
        this.emit({ ...base, content: '', done: true, doneReason: 'stopped' });
        return { content, thinking, doneReason: 'stopped' };
      }
      const message = err instanceof Error ? err.message : String(err);
      const e = /model .*not found|not found, try pulling/i.test(message)
        ? new HoneError('MODEL_NOT_FOUND', `Ollama has no model named ${p.model}.`, 'Pick a model from the list, or send a run to Ollama first.')
        : toOllamaError(err, baseUrl, 'chatting');
      this.emit({ ...base, content: '', done: true, error: e.message });
      throw e;
    } finally {
      this.live.delete(p.requestId);
    }
  }

  stop(requestId: string): boolean {
    const stop = this.live.get(requestId);
    if (!stop) return false;
    stop.abort();
    return true;
  }

  stopAll(): void {
    for (const c of this.live.values()) c.abort();
  }
}
