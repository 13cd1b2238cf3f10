/** Reads one or more YAML/JSON config files into one raw tree (before schema validation). */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ConfigProblem } from '../core/errors.js';
import { protectReferences, resolveReferences, type UnsetVariable } from './interpolate.js';

export interface RawConfig {
  tree: Record<string, unknown>;
  unset: UnsetVariable[];
  problems: ConfigProblem[];
}

const MERGED_SECTIONS = ['sources', 'transforms', 'sinks'] as const;

export function parseConfigText(text: string, origin: string, env: NodeJS.ProcessEnv = process.env): RawConfig {
  const problems: ConfigProblem[] = [];
  const unset: UnsetVariable[] = [];
  const { text: protectedText, refs } = protectReferences(text);
  const doc = parseDocument(protectedText, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      problems.push({ path: origin, severity: 'error', message: `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${e.message.split('\n')[0]}` });
    }
    return { tree: {}, unset, problems };
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to an unknown anchor (`*x`) or too many aliases (a "billion laughs" document) throw here.
    problems.push({ path: origin, severity: 'error', message: err instanceof Error ? err.message.split('\n')[0]!.trim() || 'invalid YAML' : 'invalid YAML' });
    return { tree: {}, unset, problems };
  }
  if (js === null || js === undefined) return { tree: {}, unset, problems };
  if (typeof js !== 'object' || Array.isArray(js)) {
    problems.push({ path: origin, severity: 'error', message: 'expected a mapping at the top level' });
    return { tree: {}, unset, problems };
  }
  const tree = resolveReferences(js, refs, env, unset) as Record<string, unknown>;
  return { tree, unset, problems };
}

/** Loads and merges several files: sections merge by component id; a duplicate id is an error. */
export function loadConfigFiles(paths: string[], env: NodeJS.ProcessEnv = process.env): RawConfig {
  const merged: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const unset: UnsetVariable[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      problems.push({ path: p, severity: 'error', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    const one = parseConfigText(text, p, env);
    problems.push(...one.problems);
    unset.push(...one.unset);
    mergeInto(merged, one.tree, problems);
  }
  return { tree: merged, unset, problems };
}

export function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>, problems: ConfigProblem[]): void {
  for (const [key, value] of Object.entries(src)) {
    if ((MERGED_SECTIONS as readonly string[]).includes(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      const section = (target[key] ??= {}) as Record<string, unknown>;
      for (const [id, comp] of Object.entries(value)) {
        if (id in section) problems.push({ path: `${key}.${id}`, severity: 'error', message: 'defined in more than one config file' });
        else section[id] = comp;
      }
    } else if (key in target) {
      problems.push({ path: key, severity: 'error', message: 'defined in more than one config file' });
    } else {
      target[key] = value;
    }
  }
}
