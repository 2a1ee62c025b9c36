/**
 * The protocol schema lives with the Python package (python-runtime/hone_sidecar/protocol.schema.json);
 * both sides validate against that one file, so a drift fails tests on both sides.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export interface ProtocolValidators {
  event: ValidateFunction;
  runConfig: ValidateFunction;
  command: ValidateFunction;
  /** The validator of one event type (e.g. 'metrics' -> #/definitions/metricsEvent), for precise messages. */
  eventOfType(type: string): ValidateFunction | null;
}

const cache = new Map<string, ProtocolValidators>();

export function schemaPath(pythonRuntimeDir: string): string {
  return path.join(pythonRuntimeDir, 'hone_sidecar', 'protocol.schema.json');
}

/** Compiled once per schema file. */
export function protocolValidators(pythonRuntimeDir: string): ProtocolValidators {
  const file = schemaPath(pythonRuntimeDir);
  let v = cache.get(file);
  if (!v) {
    const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, unknown> };
    // strictTypes off: the schema is shared with Python's jsonschema and uses plain draft-07 idioms
    // (e.g. "minimum" next to a nullable type) that Ajv's strict mode would only warn about.
    const ajv = new Ajv({ allErrors: false, strictTypes: false });
    const compile = (def: string) => ajv.compile({ $ref: `#/definitions/${def}`, definitions: schema.definitions });
    const byType = new Map<string, ValidateFunction>();
    const eventOfType = (type: string) => {
      const def = `${type}Event`;
      if (!/^[a-z]+$/.test(type) || !(def in schema.definitions)) return null;
      if (!byType.has(def)) byType.set(def, compile(def));
      return byType.get(def)!;
    };
    v = { event: compile('event'), runConfig: compile('runConfig'), command: compile('command'), eventOfType };
    cache.set(file, v);
  }
  return v;
}

/** One line for a log message: where the first schema violation is. */
export function describeErrors(validate: ValidateFunction): string {
  const e = validate.errors?.[0];
  if (!e) return 'invalid';
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}
