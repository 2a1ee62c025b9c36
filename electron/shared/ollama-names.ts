/**
 * Ollama model names: `[namespace/]model[:tag]`. Pure, so the export form checks as the user types and the
 * core checks again before any upload: a typo never costs a multi-GB transfer. Ollama (types/model/name.go)
 * allows letters, digits, `_`, `-`, `.` (not in the namespace), a first character that is a letter, digit or
 * `_`, and at most 80 characters per part. We also require lowercase: Ollama matches names
 * case-insensitively and ollama.com refuses uppercase on push, so a mixed-case name only surprises later.
 */

const PART = /^[a-z0-9_][a-z0-9_.-]*$/;
const NAMESPACE = /^[a-z0-9_][a-z0-9_-]*$/;
const MAX_PART = 80;

export interface NameCheck {
  ok: boolean;
  /** Why not, in a sentence, when !ok. */
  reason?: string;
}

export function checkModelName(name: string): NameCheck {
  if (!name.trim()) return { ok: false, reason: 'Give the model a name, e.g. "my-assistant" or "me/my-assistant:v1".' };
  if (name !== name.trim()) return { ok: false, reason: 'Remove the spaces around the name.' };
  if (/[A-Z]/.test(name)) return { ok: false, reason: `Use lowercase letters: "${name.toLowerCase()}".` };
  let rest = name;
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length > 2) return { ok: false, reason: 'Use at most one "/": namespace/model[:tag].' };
  const model = parts[parts.length - 1];
  const namespace = parts.length === 2 ? parts[0] : null;
  const bad = (what: string, value: string, allowed: string): NameCheck =>
    !value
      ? { ok: false, reason: `The ${what} is empty.` }
      : value.length > MAX_PART
        ? { ok: false, reason: `The ${what} is longer than ${MAX_PART} characters.` }
        : { ok: false, reason: `The ${what} "${value}" may only contain ${allowed}, and must start with a letter, digit or "_".` };
  if (namespace !== null && (!NAMESPACE.test(namespace) || namespace.length > MAX_PART)) return bad('namespace', namespace, 'a-z, 0-9, "_" and "-"');
  if (!PART.test(model) || model.length > MAX_PART) return bad('model name', model, 'a-z, 0-9, "_", "-" and "."');
  if (tag !== null && (!PART.test(tag) || tag.length > MAX_PART)) return bad('tag', tag, 'a-z, 0-9, "_", "-" and "."');
  return { ok: true };
}

/** Ollama's canonical short form: a bare name means tag "latest". Used to compare with /api/tags. */
export function withDefaultTag(name: string): string {
  const slash = name.lastIndexOf('/');
  return name.slice(slash + 1).includes(':') ? name : `${name}:latest`;
}
