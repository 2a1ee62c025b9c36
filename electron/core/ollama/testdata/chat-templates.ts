/** The real chat templates in testdata/chat-templates, with the tokenizer facts each needs (see its index.json). */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../paths';
import { hfTemplate, type HfTemplate } from '../hf-template';

export interface TemplateFixture {
  name: string;
  file: string;
  model: string;
  source: string;
  bos_token: string;
  eos_token: string;
  special: string[];
}

const DIR = path.join(REPO_ROOT, 'electron', 'core', 'ollama', 'testdata', 'chat-templates');

export const TEMPLATE_FIXTURES: TemplateFixture[] = (JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { templates: TemplateFixture[] }).templates;

export function fixtureSource(f: TemplateFixture): string {
  return fs.readFileSync(path.join(DIR, f.file), 'utf8');
}

/** A tokenizer_config.json as the model ships it, holding the fixture's template. */
export function fixtureTokenizerConfig(f: TemplateFixture): Record<string, unknown> {
  const decoder = Object.fromEntries(f.special.map((content, i) => [String(i), { content, special: true }]));
  return { bos_token: f.bos_token || null, eos_token: f.eos_token, added_tokens_decoder: decoder, chat_template: fixtureSource(f) };
}

export function fixtureTemplate(f: TemplateFixture, date = '2025-03-05'): HfTemplate {
  return hfTemplate(fixtureSource(f), fixtureTokenizerConfig(f), date);
}
