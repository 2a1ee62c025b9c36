/**
 * What the export sends besides the weights: TEMPLATE, SYSTEM and the stop words, derived from the chat
 * template saved with the run (merged/ or adapter/ tokenizer files, which is what training rendered with).
 * When a template cannot be derived (none saved, or one whose turns depend on more than the roles around
 * them), the family template stands in and the export's check decides whether it is right.
 */
import path from 'node:path';
import { HoneError } from '../../shared/errors';
import type { ChatTemplateFamily } from '../../shared/types/model';
import { loadHfTemplate, type HfTemplate } from './hf-template';
import type { ModelFolder } from './model-folder';
import { DeriveError, deriveTemplate, type DerivedTemplate } from './template-derive';
import { CHAT_FORMATS } from './templates';

export interface ModelfileParts {
  template: string;
  system: string | null;
  stop: string[];
  source: 'derived' | 'family';
  /** Why the family template was used. */
  fallback: string | null;
  hf: HfTemplate | null;
  derived: DerivedTemplate | null;
  /** The day the template's strftime_now printed (the training day), when it asked. */
  date: string | null;
}

/** Where the run's tokenizer (and so its chat template) was saved: the folder being sent, else its sibling. */
export function templateFolder(folder: ModelFolder, others: (ModelFolder | null)[]): string {
  const candidates = [folder, ...others].filter((f): f is ModelFolder => !!f).map((f) => f.dir);
  return candidates.find((d) => loadHfTemplate(d, '2000-01-01')) ?? folder.dir;
}

export function modelfileParts(opts: { dir: string; family: ChatTemplateFamily | null; date: string; autoBos: boolean; system?: string | null }): ModelfileParts {
  const hf = loadHfTemplate(opts.dir, opts.date);
  let derived: DerivedTemplate | null = null;
  let fallback: string | null = null;
  if (hf) {
    try {
      derived = deriveTemplate(hf, { autoBos: opts.autoBos });
    } catch (err) {
      if (!(err instanceof DeriveError)) throw err;
      fallback = `Hone could not read this chat template's turns (${err.message})`;
    }
  } else {
    fallback = `${path.basename(opts.dir)} has no chat template`;
  }
  const system = opts.system?.trim() || derived?.defaultSystem || null;
  if (derived) return { template: derived.template, system, stop: derived.stop, source: 'derived', fallback: null, hf, derived, date: derived.dateUsed };
  if (!opts.family) {
    throw new HoneError('NOT_EXPORTABLE', `${fallback}, and the catalogue does not know its family.`, 'Add a chat_template to tokenizer_config.json in the run folder, then send again.');
  }
  const fmt = CHAT_FORMATS[opts.family];
  return { template: fmt.template, system, stop: fmt.stop, source: 'family', fallback, hf, derived: null, date: null };
}
