/**
 * Token counts for statistics and truncation. Exact with the model's tokenizer.json (pure-JS
 * @huggingface/tokenizers, which matches the Rust tokenizers' ids); otherwise an estimate, documented
 * here because users see its numbers: 3.5 UTF-16 units a token, plus half a token for every UTF-8 byte
 * beyond the first of a character. So ASCII text counts 3.5 characters a token (English BPE vocabularies
 * land between 3.5 and 4.5, so this errs long, the safe side for truncation), CJK about 1.3 tokens a
 * character, Cyrillic or accented letters about 0.8. It needs only the string's length and UTF-8 byte
 * length, both native, so validation never loops over characters for it.
 */
import type { Tokenizer } from '@huggingface/tokenizers';

export interface TokenCounter {
  kind: 'tokenizer' | 'estimate';
  count(text: string): number;
}

/** The estimate from a text's UTF-16 length and UTF-8 byte length (sums of parts give the whole's). */
export function estimateFrom(length: number, utf8Bytes: number): number {
  return Math.ceil(length / 3.5 + (utf8Bytes - length) / 2);
}

export function estimateTokens(text: string): number {
  return estimateFrom(text.length, Buffer.byteLength(text, 'utf8'));
}

export const ESTIMATE: TokenCounter = { kind: 'estimate', count: estimateTokens };

export function tokenizerCounter(tok: Tokenizer): TokenCounter {
  // The rendered template already holds BOS and other specials as text, so the tokenizer must not add its own.
  return { kind: 'tokenizer', count: (text) => tok.encode(text, { add_special_tokens: false }).ids.length };
}
