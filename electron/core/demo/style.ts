/**
 * The demo's house style (resources/samples/style.json): every reply is "Short answer: … / Why: … / In one
 * word: …". The rule is a regex in that file, shared by the acceptance tests and the chat page's marker,
 * with the held-out prompts (style-eval.jsonl) the demo was not trained on.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface DemoStyle {
  name: string;
  description: string;
  /** The training rows and the held-out ones, as paths. */
  train: string;
  eval: string;
  pattern: RegExp;
}

export function loadDemoStyle(resourcesDir: string): DemoStyle {
  const dir = path.join(resourcesDir, 'samples');
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'style.json'), 'utf8')) as { name: string; description: string; train: string; eval: string; pattern: string };
  return { name: raw.name, description: raw.description, train: path.join(dir, raw.train), eval: path.join(dir, raw.eval), pattern: new RegExp(raw.pattern) };
}

/** Whether a reply is in the style: the whole reply, trimmed, CRLF read as LF (style.json's `match`). */
export function inStyle(style: Pick<DemoStyle, 'pattern'>, reply: string): boolean {
  return style.pattern.test(reply.replace(/\r\n/g, '\n').trim());
}

/** The held-out prompts: the first user turn of each row of the eval file. */
export function heldOutPrompts(style: Pick<DemoStyle, 'eval'>): string[] {
  return fs
    .readFileSync(style.eval, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content);
}
