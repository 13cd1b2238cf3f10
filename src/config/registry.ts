/**
 * Every component type edgetail knows, by kind, loaded on demand: the catalogs (src/sources,
 * src/transforms and sinks catalog.ts) name each type and how to import it, and a config pays only
 * for the types it names (an idle agent with a file source and one sink does not hold the schemas and
 * code of the other twenty-odd components). Adding a component = adding it to its index and catalog.
 */
import type { ComponentKind, SourceDef, TransformDef } from '../core/component.js';
import type { AnySinkDriver, SinkDef } from '../delivery/types.js';
import { sourceLoaders } from '../sources/catalog.js';
import { transformLoaders } from '../transforms/catalog.js';
import { sinkLoaders } from '../../sinks/catalog.js';

export type AnyDef = SourceDef | TransformDef | SinkDef<any, AnySinkDriver>;

const loaders: Record<ComponentKind, Map<string, () => Promise<AnyDef>>> = {
  source: new Map(sourceLoaders),
  transform: new Map(transformLoaders),
  sink: new Map(sinkLoaders),
};

const loading: Record<ComponentKind, Map<string, Promise<AnyDef>>> = { source: new Map(), transform: new Map(), sink: new Map() };

/** The definition of a known type (imported on first use), undefined for an unknown one. */
export function loadDef(kind: ComponentKind, type: string): Promise<AnyDef | undefined> {
  let p = loading[kind].get(type);
  if (!p) {
    const load = loaders[kind].get(type);
    if (!load) return Promise.resolve(undefined);
    p = load();
    loading[kind].set(type, p);
    // A failed import is not cached: the next caller tries again (and sees the error).
    p.catch(() => loading[kind].delete(type));
  }
  return p;
}

/** Every definition of every kind (documentation checks, tests). */
export async function loadAllDefs(): Promise<AnyDef[]> {
  const kinds: ComponentKind[] = ['source', 'transform', 'sink'];
  const defs = await Promise.all(kinds.flatMap((k) => knownTypes(k).map((t) => loadDef(k, t))));
  return defs.filter((d): d is AnyDef => d !== undefined);
}

export function knownTypes(kind: ComponentKind): string[] {
  return [...loaders[kind].keys()].sort();
}
