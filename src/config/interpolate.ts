/**
 * ${VAR} and ${VAR:-default} from the environment. `$${` is a literal `${`.
 *
 * Interpolation happens in two steps so that problems name the key path and an environment value can
 * never change the YAML structure: first every reference in the text becomes an inert placeholder
 * token, then — after YAML parsing — every string in the tree gets its placeholders replaced. A
 * scalar that is exactly one reference takes the value's type (so `rate: ${RATE}` is a number).
 */

export interface EnvReference {
  name: string;
  fallback: string | undefined;
  literal: boolean;
}

export interface UnsetVariable {
  path: string;
  name: string;
}

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const TOKEN = /__EDGETAIL_ENV_(\d+)__/g;
const WHOLE_TOKEN = /^__EDGETAIL_ENV_(\d+)__$/;

export function protectReferences(text: string): { text: string; refs: EnvReference[] } {
  const refs: EnvReference[] = [];
  const out = text.replace(REF, (m, name: string | undefined, fallback: string | undefined) => {
    refs.push(m === '$${' ? { name: '', fallback: undefined, literal: true } : { name: name!, fallback, literal: false });
    return `__EDGETAIL_ENV_${refs.length - 1}__`;
  });
  return { text: out, refs };
}

function typed(value: string): unknown {
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Replaces placeholders throughout a parsed tree; records unset variables with their key path. */
export function resolveReferences(
  tree: unknown,
  refs: EnvReference[],
  env: NodeJS.ProcessEnv,
  unset: UnsetVariable[],
  path = '',
): unknown {
  if (typeof tree === 'string') {
    if (!tree.includes('__EDGETAIL_ENV_')) return tree;
    const lookup = (i: number): string => {
      const r = refs[i]!;
      if (r.literal) return '${';
      const v = env[r.name];
      if (v !== undefined && v !== '') return v;
      if (r.fallback !== undefined) return r.fallback;
      unset.push({ path, name: r.name });
      return '';
    };
    const whole = WHOLE_TOKEN.exec(tree);
    if (whole) {
      const r = refs[Number(whole[1])]!;
      const v = lookup(Number(whole[1]));
      return r.literal ? v : typed(v);
    }
    return tree.replace(TOKEN, (_m, i: string) => lookup(Number(i)));
  }
  if (Array.isArray(tree)) return tree.map((v, i) => resolveReferences(v, refs, env, unset, `${path}[${i}]`));
  if (tree && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = resolveReferences(v, refs, env, unset, path ? `${path}.${k}` : k);
    return out;
  }
  return tree;
}
