/**
 * What each format needs, and the column names people use for those fields in the wild. Detection maps
 * a user's columns onto our fields through these aliases; the user can override any of it.
 */
import { DATASET_FORMAT_FIELDS, type DatasetFormat, type NormalisedMessage } from '../../../shared/types/dataset';

export interface FormatSpec {
  /** Fields a row must have, and those it may have (shared with the UI's mapping editor). */
  required: string[];
  optional: string[];
  aliases: Record<string, string[]>;
}

/** Column names accepted for each of our fields, most likely first. */
const ALIASES: Record<DatasetFormat, Record<string, string[]>> = {
  alpaca: {
    instruction: ['instruction', 'question', 'query', 'problem', 'task', 'human'],
    input: ['input', 'context'],
    output: ['output', 'answer', 'response', 'solution', 'target', 'assistant'],
    system: ['system', 'system_prompt'],
    history: ['history'],
  },
  sharegpt: { conversations: ['conversations', 'conversation', 'dialog', 'dialogue', 'turns', 'chat', 'messages'], system: ['system'] },
  messages: { messages: ['messages', 'conversations', 'conversation', 'chat', 'turns', 'dialog'] },
  prompt_completion: { prompt: ['prompt'], completion: ['completion', 'response'] },
  text: { text: ['text', 'content', 'document', 'body', 'passage'] },
  dpo: {
    prompt: ['prompt', 'question', 'instruction', 'query'],
    chosen: ['chosen', 'preferred', 'accepted', 'chosen_response', 'response_chosen'],
    rejected: ['rejected', 'dispreferred', 'rejected_response', 'response_rejected'],
    system: ['system'],
  },
};

export const FORMATS = Object.fromEntries(
  (Object.keys(ALIASES) as DatasetFormat[]).map((f) => [f, { ...DATASET_FORMAT_FIELDS[f], aliases: ALIASES[f] }]),
) as Record<DatasetFormat, FormatSpec>;

/** Most specific first: when two formats match equally well, the earlier one wins. */
export const FORMAT_ORDER: DatasetFormat[] = ['dpo', 'sharegpt', 'messages', 'alpaca', 'prompt_completion', 'text'];

/** Role names seen in ShareGPT/OpenAI-style data, mapped onto the three roles a chat template knows. */
const ROLE_ALIASES: Record<string, NormalisedMessage['role']> = {
  system: 'system',
  developer: 'system',
  human: 'user',
  user: 'user',
  prompter: 'user',
  instruction: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  bot: 'assistant',
  model: 'assistant',
  chatgpt: 'assistant',
  ai: 'assistant',
  bard: 'assistant',
  claude: 'assistant',
  response: 'assistant',
};

export function normaliseRole(role: string): NormalisedMessage['role'] | null {
  return ROLE_ALIASES[role.trim().toLowerCase()] ?? null;
}
