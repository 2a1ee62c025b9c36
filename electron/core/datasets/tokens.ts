/**
 * Token counts for statistics and truncation. Exact with the model's tokenizer.json (pure-JS
 * @huggingface/tokenizers, which matches the Rust tokenizers' ids); otherwise an estimate, documented
 * here because users see its numbers: about 3.5 characters a token for ASCII text (English BPE vocabularies
 * land between 3.5 and 4.5, so this errs long, which is the safe side for truncation) and one token per
 * non-ASCII character (CJK scripts are close to that; accented Latin text is over-counted).
 */
import type { Tokenizer } from '@huggingface/tokenizers';

export interface TokenCounter {
  kind: 'tokenizer' | 'estimate';
  count(text: string): number;
}

export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) ascii++;
    else if (c < 0xdc00 || c > 0xdfff) other++; // a surrogate pair counts once
  }
  return Math.ceil(ascii / 3.5 + other);
}

export const ESTIMATE: TokenCounter = { kind: 'estimate', count: estimateTokens };

export function tokenizerCounter(tok: Tokenizer): TokenCounter {
  // The rendered template already holds BOS and other specials as text, so the tokenizer must not add its own.
  return { kind: 'tokenizer', count: (text) => tok.encode(text, { add_special_tokens: false }).ids.length };
}
