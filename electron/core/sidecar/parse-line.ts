/**
 * One stdout line of the sidecar -> one event. Anything that is not a schema-valid event (a library
 * that printed to stdout despite the sidecar's redirect, a newer sidecar's unknown event) becomes a
 * `log` warning carrying the line, so nothing is lost and nothing crashes.
 */
import type { SidecarEvent } from '../../shared/types/sidecar';
import { describeErrors, type ProtocolValidators } from './schema';

export function parseEventLine(line: string, validators: ProtocolValidators, lastSeq: number): SidecarEvent | null {
  if (!line.trim()) return null;
  const warning = (message: string): SidecarEvent => ({ type: 'log', level: 'warning', message, seq: lastSeq, ts: new Date().toISOString() });
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return warning(`sidecar printed a non-protocol line: ${line.slice(0, 500)}`);
  }
  if (!validators.event(parsed)) {
    // The oneOf's own error names whichever branch failed first; the event's own type says more.
    const type = (parsed as { type?: unknown } | null)?.type;
    const own = typeof type === 'string' ? validators.eventOfType(type) : null;
    const why = own && !own(parsed) ? describeErrors(own) : typeof type === 'string' ? `unknown event type "${type}"` : describeErrors(validators.event);
    return warning(`sidecar sent an event that breaks the protocol (${why}): ${line.slice(0, 500)}`);
  }
  return parsed as SidecarEvent;
}
