/**
 * Runs the Dockerfile's build without Docker: every stage gets a fake root folder in a temporary
 * directory; WORKDIR, ENV, COPY (also --from=stage) and the RUN steps of the build stages are carried
 * out there, in Dockerfile order, on this machine's Node. What it cannot do (see docs/deployment.md):
 * the base image is this machine's Node and OS, not node:20-bookworm-slim; the final stage's RUN
 * (symlink, mkdir, chown) is not executed because its absolute paths would land on this machine; USER,
 * VOLUME, EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD are not executed (the property test checks them).
 *
 * CLI: scripts/docker-dryrun.sh [--keep]  (prints the fake root of the final stage and its size)
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readDockerfile, stageEnv, type Dockerfile, type Stage } from './dockerfile.js';

export interface DryRun {
  dir: string;
  dockerfile: Dockerfile;
  /** Fake root folder of each stage, by stage name (or index). */
  roots: Record<string, string>;
  /** The final stage's fake root and WORKDIR (inside that root). */
  final: { root: string; workdir: string; env: Record<string, string> };
  /** Instructions that were read but not carried out, "line N: CMD rest". */
  skipped: string[];
  cleanup(): void;
}

/** Maps a path inside a stage's image to its fake root. */
export function inRoot(root: string, path: string): string {
  return join(root, path);
}

function run(command: string, cwd: string, env: Record<string, string>, log: (s: string) => void): void {
  log(`RUN ${command}  (in ${cwd})`);
  const r = spawnSync('sh', ['-c', command], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`RUN ${command} failed (exit ${r.status}):\n${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-4000)}`);
}

function copy(sources: string[], dest: string, from: string, workdirOf: (p: string) => string, link: boolean): void {
  const target = workdirOf(dest);
  const intoDir = dest.endsWith('/') || sources.length > 1;
  for (const s of sources) {
    const src = join(from, s);
    if (!existsSync(src)) throw new Error(`COPY: ${s} does not exist in ${from}`);
    if (statSync(src).isDirectory() && link) {
      // Between stages (same filesystem): hard links, which cost no disk and no time for the
      // ~100k files of a node_modules, and read the same.
      mkdirSync(target, { recursive: true });
      const r = spawnSync('cp', ['-a', '-l', `${src}/.`, target], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`COPY --from: cp -al ${src} failed: ${r.stderr}`);
    } else if (statSync(src).isDirectory()) cpSync(src, target, { recursive: true, verbatimSymlinks: true });
    else {
      const to = intoDir ? join(target, basename(s)) : target;
      mkdirSync(intoDir ? target : join(to, '..'), { recursive: true });
      cpSync(src, to);
    }
  }
}

function stageKey(df: Dockerfile, stage: Stage): string {
  return stage.name ?? String(df.stages.indexOf(stage));
}

/** Carries out the Dockerfile at CONTEXT/Dockerfile in a new temporary directory. */
export function dockerDryRun(context: string, log: (s: string) => void = () => {}): DryRun {
  const df = readDockerfile(join(context, 'Dockerfile'));
  const dir = mkdtempSync(join(tmpdir(), 'edgetail-docker-dryrun-'));
  const roots: Record<string, string> = {};
  const skipped: string[] = [];
  const result: DryRun = { dir, dockerfile: df, roots, final: { root: '', workdir: '', env: {} }, skipped, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  try {
    df.stages.forEach((stage, index) => {
      const isFinal = index === df.stages.length - 1;
      const key = stageKey(df, stage);
      const root = join(dir, `stage-${key}`);
      mkdirSync(root, { recursive: true });
      roots[key] = root;
      let workdir = '/';
      const env: Record<string, string> = {};
      const abs = (p: string): string => inRoot(root, isAbsolute(p) ? p : join(workdir, p));
      log(`FROM ${stage.base} AS ${key}  (fake root ${root})`);
      for (const ins of stage.instructions) {
        switch (ins.cmd) {
          case 'WORKDIR':
            workdir = isAbsolute(ins.rest) ? ins.rest : join(workdir, ins.rest);
            mkdirSync(inRoot(root, workdir), { recursive: true });
            break;
          case 'ENV':
            Object.assign(env, stageEnv({ ...stage, instructions: [ins] }));
            break;
          case 'COPY': {
            const parts = ins.json ?? ins.rest.split(/\s+/);
            const dest = parts[parts.length - 1]!;
            const from = ins.flags['from'];
            const fromRoot = from === undefined ? context : roots[from];
            if (fromRoot === undefined) throw new Error(`line ${ins.line}: COPY --from=${from}: no such earlier stage`);
            copy(parts.slice(0, -1), dest, fromRoot, abs, from !== undefined);
            log(`COPY ${ins.rest}`);
            break;
          }
          case 'RUN':
            if (isFinal) skipped.push(`line ${ins.line}: RUN ${ins.rest}`);
            else run(ins.rest, inRoot(root, workdir), env, log);
            break;
          default:
            skipped.push(`line ${ins.line}: ${ins.cmd} ${ins.rest}`);
        }
      }
      if (isFinal) result.final = { root, workdir, env };
    });
  } catch (err) {
    result.cleanup();
    throw err;
  }
  return result;
}

/**
 * Imports every compiled module of the final stage and resolves every package its modules load
 * lazily (`import('pkg')`), with only the final stage's node_modules reachable: proves the production
 * dependencies are complete. Returns the number of modules imported.
 */
export function checkModules(final: DryRun['final']): Promise<{ modules: number; lazy: string[] }> {
  const code = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { pathToFileURL } from 'node:url';
    const files = [];
    const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith('.js')) files.push(p); } };
    walk('dist/src'); walk('dist/sinks');
    const lazy = new Set();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/import\\(\\s*['"]([^'".][^'"]*)['"]\\s*\\)/g)) lazy.add(m[1]);
      await import(pathToFileURL(join(process.cwd(), f)).href);
    }
    for (const s of lazy) await import(s);
    process.stdout.write(JSON.stringify({ modules: files.length, lazy: [...lazy].sort() }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: inRoot(final.root, final.workdir), env: { PATH: process.env.PATH ?? '', ...final.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { modules: number; lazy: string[] }) : reject(new Error(`module check failed (exit ${code}): ${err.slice(-3000)}`))));
  });
}

/** Disk usage in MB of a folder (du -sm). */
export function sizeMb(path: string): number {
  const r = spawnSync('du', ['-sm', path], { encoding: 'utf8' });
  return Number(r.stdout.split(/\s/)[0]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const keep = process.argv.includes('--keep');
  const context = process.cwd();
  const t0 = Date.now();
  const dr = dockerDryRun(context, (s) => process.stderr.write(`${s}\n`));
  try {
    const r = await checkModules(dr.final);
    const app = inRoot(dr.final.root, dr.final.workdir);
    const v = spawnSync(join(app, 'bin', 'edgetail.js'), ['validate', '--config', inRoot(dr.final.root, '/etc/edgetail/edgetail.yaml')], { cwd: app, encoding: 'utf8' });
    process.stderr.write(v.stdout + v.stderr);
    if (v.status !== 0) throw new Error(`edgetail validate of the image's default config failed (exit ${v.status})`);
    console.log(`final stage: ${dr.final.root} (${sizeMb(dr.final.root)} MB without the base image; node_modules ${sizeMb(join(app, 'node_modules'))} MB)`);
    console.log(`imported all ${r.modules} compiled modules (and ${r.lazy.length} bare import() specifiers) with the production dependencies only`);
    console.log(`not carried out:\n  ${dr.skipped.join('\n  ')}`);
    console.log(`took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    if (!keep) dr.cleanup();
  }
}
