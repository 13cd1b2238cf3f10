/** Graph checks over validated components: unknown inputs, bad outputs, cycles, dead ends. */
import type { ConfigProblem } from '../core/errors.js';

export interface GraphNode {
  id: string;
  kind: 'source' | 'transform' | 'sink';
  inputs: string[];
  /** Named outputs (multi-output transforms); undefined = one default output. */
  outputs: string[] | undefined;
  /** The component itself failed validation: skip checks that would only repeat that problem. */
  invalid?: boolean;
}

/** Splits `id.output` into its parts. */
export function splitInput(ref: string): { id: string; output: string | undefined } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { id: ref, output: undefined } : { id: ref.slice(0, dot), output: ref.slice(dot + 1) };
}

export function checkGraph(nodes: GraphNode[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const section = (n: GraphNode) => `${n.kind}s.${n.id}`;
  const consumers = new Map<string, string[]>();

  for (const n of nodes) {
    if (n.kind === 'source') continue;
    n.inputs.forEach((ref, i) => {
      const path = `${section(n)}.inputs[${i}]`;
      const { id, output } = splitInput(ref);
      const up = byId.get(id);
      if (!up) {
        problems.push({ path, severity: 'error', message: `unknown input "${ref}" (no source or transform has that id)` });
        return;
      }
      if (up.kind === 'sink') {
        problems.push({ path, severity: 'error', message: `"${ref}" is a sink; sinks cannot be inputs` });
        return;
      }
      if (up.id === n.id) {
        problems.push({ path, severity: 'error', message: 'a component cannot be its own input' });
        return;
      }
      if (up.invalid) {
        // Its own problem is already reported; don't guess about its outputs.
      } else if (output !== undefined) {
        if (!up.outputs) {
          problems.push({ path, severity: 'error', message: `"${id}" has a single output; use "${id}" without ".${output}"` });
          return;
        }
        if (!up.outputs.includes(output)) {
          problems.push({ path, severity: 'error', message: `"${id}" has no output "${output}" (outputs: ${up.outputs.join(', ')})` });
          return;
        }
      } else if (up.outputs) {
        problems.push({ path, severity: 'error', message: `"${id}" has named outputs; use one of ${up.outputs.map((o) => `${id}.${o}`).join(', ')}` });
        return;
      }
      const list = consumers.get(id) ?? [];
      list.push(n.id);
      consumers.set(id, list);
    });
  }

  // Cycles among transforms (sources have no inputs, sinks no consumers).
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  const visit = (id: string, stack: string[]): void => {
    state.set(id, 1);
    for (const c of consumers.get(id) ?? []) {
      const s = state.get(c);
      if (s === 1) {
        const cycle = [...stack.slice(stack.indexOf(c)), c];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({ path: `transforms.${c}.inputs`, severity: 'error', message: `cycle: ${cycle.join(' → ')}` });
        }
      } else if (s === undefined) visit(c, [...stack, c]);
    }
    state.set(id, 2);
  };
  for (const n of nodes) if (!state.has(n.id)) visit(n.id, [n.id]);

  // Every source and transform must reach a sink.
  const reaches = new Map<string, boolean>();
  const reach = (id: string, seen: Set<string>): boolean => {
    const known = reaches.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return false;
    seen.add(id);
    const n = byId.get(id)!;
    const ok = n.kind === 'sink' || !!n.invalid || (consumers.get(id) ?? []).some((c) => reach(c, seen));
    reaches.set(id, ok);
    return ok;
  };
  for (const n of nodes) {
    if (n.kind === 'sink' || n.invalid) continue;
    if (!reach(n.id, new Set())) problems.push({ path: section(n), severity: 'error', message: 'has no path to a sink (nothing consumes its events)' });
  }
  if (!nodes.some((n) => n.kind === 'source')) problems.push({ path: 'sources', severity: 'error', message: 'at least one source is required' });
  if (!nodes.some((n) => n.kind === 'sink')) problems.push({ path: 'sinks', severity: 'error', message: 'at least one sink is required' });
  return problems;
}
