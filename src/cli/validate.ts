/** `edgetail validate`: every problem with its key path; exit 78 (EX_CONFIG) on any error. */
import type { ConfigProblem } from '../core/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { validateConfig } from '../config/validate.js';

export const EX_CONFIG = 78;

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `  ${p.severity === 'error' ? 'error  ' : 'warning'}  ${p.path}: ${p.message}`).join('\n');
}

export async function runValidate(paths: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const raw = loadConfigFiles(paths);
  const { problems } = await validateConfig(raw, 'validate');
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (errors > 0) {
    err.write(`${paths.join(', ')}: ${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n${formatProblems(problems)}\n`);
    return EX_CONFIG;
  }
  if (warnings > 0) err.write(`${formatProblems(problems)}\n`);
  out.write(`${paths.join(', ')}: valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`);
  return 0;
}
