// Carries out the Dockerfile's build steps without Docker (scripts/docker-dryrun.sh): npm ci + build,
// npm ci --omit=dev, the runtime layout; then imports every compiled module with the production
// dependencies only and validates the image's default config. Needs the npm registry and takes ~3
// minutes with the clean-up, so it runs only with EDGETAIL_DOCKER_DRYRUN=1 (CI sets it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { checkModules, dockerDryRun, inRoot } from '../helpers/docker-dryrun.js';
import { spawnSync } from 'node:child_process';

const skip = process.env.EDGETAIL_DOCKER_DRYRUN === '1' ? false : 'set EDGETAIL_DOCKER_DRYRUN=1 to run the Dockerfile build steps (~3 min, npm registry)';

test('the Dockerfile build steps work and the runtime stage needs no dev dependency', { timeout: 15 * 60_000, skip }, async () => {
  const dr = dockerDryRun(repoRoot());
  try {
    const app = inRoot(dr.final.root, dr.final.workdir);
    assert.equal(dr.final.workdir, '/opt/edgetail');
    // Production dependencies only: none of the dev dependencies is present.
    for (const dev of ['typescript', 'tsx', 'fast-check', 'playwright-core', 'esbuild']) assert.equal(existsSync(join(app, 'node_modules', dev)), false, `${dev} absent`);
    assert.ok(existsSync(join(app, 'node_modules', 'zod')));
    // No source or tests in the image.
    for (const p of ['src', 'test', 'dist/test', 'dist/bench']) assert.equal(existsSync(join(app, p)), false, `${p} absent`);
    const mods = await checkModules(dr.final);
    assert.ok(mods.modules > 100, `imported ${mods.modules} modules`);
    // The entry point as the image runs it (bin/edgetail.js with its shebang), on the default config.
    const v = spawnSync(join(app, 'bin', 'edgetail.js'), ['validate', '--config', inRoot(dr.final.root, '/etc/edgetail/edgetail.yaml')], { cwd: app, encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /valid/);
    // What the dry run could not do is reported, and is what docs/deployment.md lists.
    assert.deepEqual(dr.skipped.map((s) => s.replace(/^line \d+: (\S+).*$/s, '$1')), ['RUN', 'USER', 'VOLUME', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);
  } finally {
    dr.cleanup();
  }
});
