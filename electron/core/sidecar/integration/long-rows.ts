/**
 * A dataset of long chats (~950 tokens each for the tiny random test model's tokenizer) made from the bundled SFT
 * sample: 42 question/answer turns per row. Long rows give activations large enough for the memory check's
 * CPU measure (the process's RSS growth) to tell batch 8 from batch 4: about 0.35-0.45 GB against 0.2 GB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';

interface Message {
  role: string;
  content: string;
}

export function writeLongRows(file: string, rows = 40, turns = 42): string {
  const pairs: Message[][] = [];
  for (const line of fs.readFileSync(path.join(REPO_ROOT, 'resources', 'samples', 'sft-sample.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const messages = (JSON.parse(line) as { messages: Message[] }).messages.filter((m) => m.role !== 'system');
    for (let i = 0; i + 1 < messages.length; i += 2) if (messages[i].role === 'user' && messages[i + 1].role === 'assistant') pairs.push(messages.slice(i, i + 2));
  }
  const out: string[] = [];
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const messages: Message[] = [];
    for (let t = 0; t < turns; t++) messages.push(...pairs[k++ % pairs.length]);
    out.push(JSON.stringify({ messages }));
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}
