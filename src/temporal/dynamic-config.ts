/**
 * The server's dynamic configuration has one source, ops/temporal/dynamicconfig.yaml. The real
 * server reads the file itself; the dev server takes the same values as `--dynamic-config-value`
 * flags; a stack that needs more (eager activities in the tests, fairness off in a benchmark)
 * writes a copy with its overrides. Only the file's simple form is accepted — unconstrained
 * values, `key:` then `  - value: V` and `    constraints: {}` — so nothing in it can be silently
 * misread; anything else is an error naming the line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DYNAMIC_CONFIG_FILE = fileURLToPath(new URL('../../ops/temporal/dynamicconfig.yaml', import.meta.url));

export type DynamicConfig = Record<string, unknown>;

export function parseDynamicConfig(text: string, source = 'dynamic config'): DynamicConfig {
  const out: DynamicConfig = {};
  const declared: string[] = [];
  let key: string | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    const where = `${source} line ${i + 1}`;
    if (line === '' || /^\s*#/.test(line)) return;
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z][\w.]*):$/.exec(line))) {
      key = m[1]!;
      if (declared.includes(key)) throw new Error(`${where}: ${key} appears twice`);
      declared.push(key);
      return;
    }
    if ((m = /^ {2}- value: (.+)$/.exec(line))) {
      if (!key) throw new Error(`${where}: a value before any key`);
      if (key in out) throw new Error(`${where}: ${key} has more than one value (constrained values are not supported here)`);
      try {
        out[key] = JSON.parse(m[1]!);
      } catch {
        throw new Error(`${where}: ${key}'s value ${m[1]} is not a number, boolean or quoted string`);
      }
      return;
    }
    if (/^ {4}constraints: \{\}$/.test(line)) return;
    throw new Error(`${where}: expected "key:", "  - value: V" or "    constraints: {}", got ${JSON.stringify(line)}`);
  });
  for (const k of declared) if (!(k in out)) throw new Error(`${source}: ${k} has no value`);
  return out;
}

/** The project's dynamic configuration (ops/temporal/dynamicconfig.yaml). */
export function readDynamicConfig(path = DYNAMIC_CONFIG_FILE): DynamicConfig {
  return parseDynamicConfig(readFileSync(path, 'utf8'), path);
}

/** The file form of a set of values, for a server node whose stack overrides some of them. */
export function renderDynamicConfig(values: DynamicConfig): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}:\n  - value: ${JSON.stringify(v)}\n    constraints: {}\n`)
    .join('');
}
