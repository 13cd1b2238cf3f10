/** Every component type edgetail knows, by kind. Adding a component = adding it to its index. */
import type { ComponentKind, SourceDef, TransformDef } from '../core/component.js';
import type { AnySinkDriver, SinkDef } from '../delivery/types.js';
import { sourceDefs } from '../sources/index.js';
import { transformDefs } from '../transforms/index.js';
import { sinkDefs } from '../../sinks/index.js';

export type AnyDef = SourceDef | TransformDef | SinkDef<any, AnySinkDriver>;

const byKind: Record<ComponentKind, Map<string, AnyDef>> = {
  source: new Map(sourceDefs.map((d) => [d.type, d])),
  transform: new Map(transformDefs.map((d) => [d.type, d])),
  sink: new Map(sinkDefs.map((d) => [d.type, d])),
};

export function findDef(kind: ComponentKind, type: string): AnyDef | undefined {
  return byKind[kind].get(type);
}

export function knownTypes(kind: ComponentKind): string[] {
  return [...byKind[kind].keys()].sort();
}
