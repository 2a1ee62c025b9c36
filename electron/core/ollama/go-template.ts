/**
 * Writes an Ollama TEMPLATE (Go text/template) that prints, between consecutive messages, exactly the text the
 * model's Hugging Face template prints there. Only builtins every Ollama from 0.5.5 on has (eq, ne, and, len,
 * slice; variable reassignment), and no .System/.Tools/.Think: Ollama hands the system prompt over inside
 * .Messages, and a template that mentions tools or thinking changes which capabilities Ollama claims.
 */

/** "from>to" → the text between a message of role `from` and the next of role `to` ("start", "gen", "end" at the edges). */
export type Transitions = Record<string, string>;

const ROLES = ['system', 'user', 'assistant'] as const;
const q = (s: string) => JSON.stringify(s); // a JSON string is a valid Go string literal

/** The text for a pair, or the nearest known one for pairs no probe shows (a system message mid-conversation). */
export function transitionText(t: Transitions, from: string, to: string): string {
  return t[`${from}>${to}`] ?? t[`user>${to}`] ?? t[`assistant>${to}`] ?? t[`start>${to}`] ?? '';
}

function branch(t: Transitions, from: string, indent: string): string {
  const lines = [`${indent}{{- if eq $role "system" }}{{ ${q(transitionText(t, from, 'system'))} }}`];
  lines.push(`${indent}{{- else if eq $role "assistant" }}{{ ${q(transitionText(t, from, 'assistant'))} }}`);
  lines.push(`${indent}{{- else }}{{ ${q(transitionText(t, from, 'user'))} }}`);
  lines.push(`${indent}{{- end }}`);
  return lines.join('\n');
}

export function goTemplate(t: Transitions, opts: { systemBeforeLastUser?: string } = {}): string {
  const mistral = opts.systemBeforeLastUser !== undefined;
  const out: string[] = ['{{- $prev := "start" }}'];
  if (mistral) out.push('{{- $system := "" }}');
  out.push('{{- range $i, $_ := .Messages }}');
  out.push('{{- $last := eq (len (slice $.Messages $i)) 1 }}');
  // Any other role (tool) is rendered as a user turn: the templates we derive from know no more.
  out.push('{{- $role := "user" }}{{- if eq .Role "system" }}{{ $role = "system" }}{{- else if eq .Role "assistant" }}{{ $role = "assistant" }}{{- end }}');
  if (mistral) out.push('{{- if eq $role "system" }}{{ $system = .Content }}{{- else }}');
  out.push('{{- if eq $prev "start" }}');
  out.push(branch(t, 'start', ''));
  for (const from of ROLES) {
    out.push(`{{- else if eq $prev "${from}" }}`);
    out.push(branch(t, from, ''));
  }
  out.push('{{- end }}');
  if (mistral) out.push(`{{- if and $last (eq $role "user") $system }}{{ $system }}{{ ${q(opts.systemBeforeLastUser!)} }}{{- end }}`);
  out.push('{{- .Content }}');
  out.push('{{- $prev = $role }}');
  if (mistral) out.push('{{- end }}');
  out.push('{{- end }}');
  // A conversation that ends on an assistant message is a prefill Ollama continues: no closing text then.
  out.push(`{{- if eq $prev "user" }}{{ ${q(transitionText(t, 'user', 'gen'))} }}{{- else if eq $prev "system" }}{{ ${q(transitionText(t, 'system', 'gen'))} }}{{- end }}`);
  return out.join('\n');
}

/**
 * What Ollama renders with goTemplate(t) for a chat request, in TS: the model's SYSTEM prepended when the
 * request has no system message, consecutive messages of one role merged with "\n\n" (Ollama's collate), then
 * the transitions. For unit tests and for explaining a mismatch; the real check asks a real Ollama.
 */
export function renderLikeOllama(t: Transitions, messages: { role: string; content: string }[], opts: { system?: string | null; systemBeforeLastUser?: string } = {}): string {
  let msgs = messages.map((m) => ({ ...m }));
  if (opts.system && msgs[0]?.role !== 'system') msgs = [{ role: 'system', content: opts.system }, ...msgs];
  const collated: { role: string; content: string }[] = [];
  for (const m of msgs) {
    const prev = collated[collated.length - 1];
    if (prev && prev.role === m.role) prev.content += `\n\n${m.content}`;
    else collated.push(m);
  }
  const mistral = opts.systemBeforeLastUser !== undefined;
  let out = '';
  let prev = 'start';
  let system = '';
  collated.forEach((m, i) => {
    const role = m.role === 'system' || m.role === 'assistant' ? m.role : 'user';
    if (mistral && role === 'system') {
      system = m.content;
      return;
    }
    out += transitionText(t, prev, role);
    if (mistral && i === collated.length - 1 && role === 'user' && system) out += system + opts.systemBeforeLastUser;
    out += m.content;
    prev = role;
  });
  if (prev === 'user' || prev === 'system') out += transitionText(t, prev, 'gen');
  return out;
}
