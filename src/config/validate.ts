/**
 * Schema + graph validation. Collects EVERY problem with its key path; nothing stops at the first.
 * `mode: 'validate'` treats unset ${VAR}s as warnings (examples validate anywhere); `mode: 'run'`
 * makes them errors where a key needs a value.
 */
import type { ZodType } from 'zod';
import type { ComponentKind } from '../core/component.js';
import type { ConfigProblem } from '../core/errors.js';
import { checkGraph, type GraphNode } from './graph.js';
import type { RawConfig } from './load.js';
import { knownTypes, loadDef, type AnyDef } from './registry.js';
import { topSchema, type ApiConfig, type telemetrySchema } from './schema.js';

export type TelemetryConfig = import('zod').infer<typeof telemetrySchema>;

export interface ComponentSpec {
  id: string;
  kind: ComponentKind;
  type: string;
  def: AnyDef;
  config: Record<string, unknown> & { inputs?: string[] };
  inputs: string[];
  outputs: string[] | undefined;
}

export interface ValidatedConfig {
  dataDir: string;
  api: ApiConfig;
  shutdownTimeoutSecs: number;
  /** Optional (configs built in code may leave it out): self-telemetry off. */
  telemetry?: TelemetryConfig;
  components: ComponentSpec[];
}

export interface ValidationResult {
  config: ValidatedConfig | undefined;
  problems: ConfigProblem[];
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

function joinPath(prefix: string, path: PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    // An empty key would leave no path at all ("" → `""`), found by test/fuzz/config.test.ts.
    const key = String(p) === '' ? '""' : String(p);
    out += typeof p === 'number' ? `[${p}]` : out ? `.${key}` : key;
  }
  return out;
}

function issuesToProblems(prefix: string, issues: ZodIssueLike[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys' && i.keys) {
      for (const k of i.keys) out.push({ path: joinPath(prefix, [...i.path, k]), severity: 'error', message: 'unknown key' });
    } else {
      out.push({ path: joinPath(prefix, i.path), severity: 'error', message: i.message });
    }
  }
  return out;
}

function parseWith<T>(schema: ZodType<T>, value: unknown, prefix: string, problems: ConfigProblem[]): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  problems.push(...issuesToProblems(prefix, r.error.issues as unknown as ZodIssueLike[]));
  return undefined;
}

const SECTIONS: Array<[ComponentKind, 'sources' | 'transforms' | 'sinks']> = [
  ['source', 'sources'],
  ['transform', 'transforms'],
  ['sink', 'sinks'],
];

/** The component sections of a config tree, as far as they are mappings of components. */
function* componentsOf(tree: unknown): Generator<[ComponentKind, 'sources' | 'transforms' | 'sinks', string, Record<string, unknown>]> {
  if (!tree || typeof tree !== 'object') return;
  const rawSections = tree as Record<string, Record<string, Record<string, unknown>> | undefined>;
  for (const [kind, section] of SECTIONS) {
    const entries = rawSections[section];
    if (!entries || typeof entries !== 'object') continue;
    for (const [id, comp] of Object.entries(entries)) {
      if (!comp || typeof comp !== 'object' || Array.isArray(comp)) continue; // reported by topSchema
      yield [kind, section, id, comp];
    }
  }
}

/**
 * Validates a config. Async because the definitions (schemas and code) of the component types the
 * config names are imported here, and only those (src/config/registry.ts).
 */
export async function validateConfig(raw: RawConfig, mode: 'validate' | 'run'): Promise<ValidationResult> {
  const defs = new Map<string, AnyDef>();
  await Promise.all(
    [...componentsOf(raw.tree)].map(async ([kind, , , comp]) => {
      if (typeof comp.type !== 'string') return;
      const def = await loadDef(kind, comp.type);
      if (def) defs.set(`${kind}:${comp.type}`, def);
    }),
  );
  return validateWith(raw, mode, defs);
}

function validateWith(raw: RawConfig, mode: 'validate' | 'run', defs: Map<string, AnyDef>): ValidationResult {
  const problems: ConfigProblem[] = [...raw.problems];
  const top = parseWith(topSchema, raw.tree, '', problems);
  const components: ComponentSpec[] = [];
  const graphNodes: GraphNode[] = [];
  const seen = new Map<string, string>();

  for (const [kind, section, id, comp] of componentsOf(raw.tree)) {
    const prefix = `${section}.${id}`;
    const dup = seen.get(id);
    if (dup) {
      problems.push({ path: prefix, severity: 'error', message: `id "${id}" is already used by ${dup}.${id}; ids are unique across sources, transforms and sinks` });
      continue;
    }
    seen.set(id, section);
    const type = comp.type;
    if (typeof type !== 'string') {
      problems.push({ path: `${prefix}.type`, severity: 'error', message: `expected a ${kind} type (one of ${knownTypes(kind).join(', ')})` });
      continue;
    }
    const def = defs.get(`${kind}:${type}`);
    const inputs = Array.isArray(comp.inputs) ? (comp.inputs.filter((x) => typeof x === 'string') as string[]) : [];
    if (!def) {
      problems.push({ path: `${prefix}.type`, severity: 'error', message: `unknown ${kind} type "${type}" (known: ${knownTypes(kind).join(', ')})` });
      graphNodes.push({ id, kind, inputs, outputs: undefined, invalid: true });
      continue;
    }
    const config = parseWith(def.schema as ZodType<Record<string, unknown>>, comp, prefix, problems);
    const outputs = config && 'outputs' in def && def.outputs ? def.outputs(config) : undefined;
    graphNodes.push({ id, kind, inputs, outputs, invalid: !config });
    if (config) components.push({ id, kind, type, def, config, inputs, outputs });
  }
  problems.push(...checkGraph(graphNodes));

  // Unset environment variables: which problems they explain, and how severe that is in this mode.
  for (const u of raw.unset) {
    let explained = false;
    for (const p of problems) {
      // An unknown key is wrong whatever its value: never explained (or downgraded) by an unset variable.
      if (p.message === 'unknown key') continue;
      if (p.path === u.path || p.path.startsWith(`${u.path}.`) || p.path.startsWith(`${u.path}[`)) {
        explained = true;
        p.message += ` (environment variable ${u.name} is not set)`;
        if (mode === 'validate') p.severity = 'warning';
      }
    }
    if (!explained) problems.push({ path: u.path, severity: 'warning', message: `environment variable ${u.name} is not set (empty value used)` });
  }

  problems.sort((a, b) => (a.severity === b.severity ? a.path.localeCompare(b.path) : a.severity === 'error' ? -1 : 1));
  const hasErrors = problems.some((p) => p.severity === 'error');
  if (!top || hasErrors) return { config: undefined, problems };
  return {
    config: { dataDir: top.data_dir, api: top.api, shutdownTimeoutSecs: top.shutdown_timeout_secs, telemetry: top.telemetry, components },
    problems,
  };
}
