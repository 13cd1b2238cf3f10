/**
 * A small Dockerfile reader for the deployment checks: stages, instructions with their flags and
 * arguments (JSON exec form or shell form), line continuations and comments. Not a full BuildKit
 * parser: no heredocs, no escape-directive other than the default backslash.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, COPY, … */
  cmd: string;
  /** --flag=value options before the arguments (COPY --from=build, HEALTHCHECK --interval=30s). */
  flags: Record<string, string>;
  /** The text after the keyword and flags, continuations joined. */
  rest: string;
  /** The exec form's array when `rest` is a JSON array, else undefined. */
  json: string[] | undefined;
  line: number;
}

export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG values declared before the first FROM (their defaults). */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!m) break;
    flags[m[1]!] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

function parseJsonForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(rest);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces ${NAME} and $NAME with values from `vars` (unknown names are left as they are). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? all);
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const logical: { text: string; line: number }[] = [];
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buf !== '' && trimmed.startsWith('#')) continue; // comment lines inside a continuation
    if (buf === '') start = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1).trimEnd() + ' ';
      continue;
    }
    buf += trimmed;
    logical.push({ text: buf, line: start });
    buf = '';
  }
  if (buf !== '') logical.push({ text: buf.trimEnd(), line: start });

  const df: Dockerfile = { globalArgs: {}, stages: [] };
  for (const { text: l, line } of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const cmd = m[1]!.toUpperCase();
    const { flags, rest } = splitFlags(m[2]!);
    const ins: Instruction = { cmd, flags, rest, json: parseJsonForm(rest), line };
    if (cmd === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!fm) throw new Error(`line ${line}: cannot read FROM ${rest}`);
      df.stages.push({ base: substitute(fm[1]!, df.globalArgs), name: fm[2], instructions: [] });
      continue;
    }
    const stage = df.stages[df.stages.length - 1];
    if (!stage) {
      if (cmd === 'ARG') {
        const am = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
        if (am) df.globalArgs[am[1]!] = (am[2] ?? '').replace(/^"(.*)"$/, '$1');
        continue;
      }
      throw new Error(`line ${line}: ${cmd} before the first FROM`);
    }
    stage.instructions.push(ins);
  }
  return df;
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** The instructions of one keyword in a stage. */
export function instructions(stage: Stage, cmd: string): Instruction[] {
  return stage.instructions.filter((i) => i.cmd === cmd);
}

/** ENV instructions of a stage as a map (KEY=value pairs, quotes removed). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of instructions(stage, 'ENV')) {
    for (const m of i.rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** The patterns of a .dockerignore file (comments and blank lines dropped). */
export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
