/**
 * The live cutover dashboard end to end in real Chromium (scripts/services.sh start chromium): the
 * demo instance serves it at /, the page follows /live; KPI tiles agree with the rt API, the filter
 * lands in the URL and the panels, pause stops the updates and resume restarts them. Screenshots go to
 * test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance, type Instance } from '../../src/cli/instance.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { launchChromium, type Browser, type BrowserPage } from '../helpers/browser.js';
import { repoRoot } from '../helpers/cli.js';
import { startService } from '../helpers/services.js';
import { tempDir } from '../helpers/context.js';

const SERVICE = 'k8sDlCdn0cUt0v3rDemo01';
const ARTIFACTS = join(repoRoot(), 'test-artifacts');

interface RtSecond {
  recorded: number;
  aggregated: { requests: number; hits: number; miss: number };
}

describe('live dashboard in Chromium', { timeout: 420_000 }, () => {
  let inst: Instance;
  let dir: { path: string; cleanup: () => void };
  let base: string;
  let browser: Browser | undefined;
  let page: BrowserPage;

  before(async () => {
    const { CHROMIUM } = await startService('chromium');
    assert.ok(CHROMIUM, 'scripts/services.sh start chromium prints CHROMIUM=');
    dir = tempDir();
    inst = await startInstance(parseConfigText(demoConfig({ port: 0, dataDir: dir.path, rate: 2000 }), 'demo'), silentLogger());
    base = `http://127.0.0.1:${inst.api!.address.port}`;
    browser = await launchChromium(CHROMIUM);
    page = browser.page;
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await inst?.stop(5000);
      } finally {
        dir?.cleanup();
      }
    }
  });

  /** The rt API's complete seconds of the last 120 s, oldest first. */
  const rt = async (): Promise<{ timestamp: number; data: RtSecond[] }> => {
    const r = (await (await fetch(`${base}/v1/channel/${SERVICE}/ts/h`)).json()) as { Timestamp: number; Data: RtSecond[] };
    return { timestamp: r.Timestamp, data: [...r.Data].sort((a, b) => a.recorded - b.recorded) };
  };
  /** Waits until the rt API has served `secs` more complete seconds (the server made progress). */
  const rtAdvance = async (secs: number): Promise<void> => {
    const from = (await rt()).timestamp;
    await page.waitFor(async () => (await rt()).timestamp >= from + secs, `rt API to advance ${secs} s`, 60_000, 250);
  };
  const body = (key: string): Promise<string | undefined> => page.evaluate<string | undefined>(`document.body.dataset[${JSON.stringify(key)}]`);
  const tile = (id: string): Promise<{ value: string; text: string }> =>
    page.evaluate(`(() => { const t = document.getElementById(${JSON.stringify(id)}); return { value: t.dataset.value ?? '', text: t.querySelector('.v').textContent }; })()`);
  const frames = async (): Promise<number> => Number((await body('frames')) ?? 0);

  test('static files: content types, ETag revalidation, no way out of the folder', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await index.text(), /<script type="module" src="app\.mjs">/);
    const app = await fetch(`${base}/app.mjs`);
    assert.equal(app.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(app.headers.get('cache-control'), 'no-cache');
    const etag = app.headers.get('etag');
    assert.ok(etag);
    assert.equal((await fetch(`${base}/app.mjs`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${base}/style.css`)).headers.get('content-type'), 'text/css; charset=utf-8');
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/nope.mjs', '/.hidden.css', '/index.html/x']) {
      assert.equal((await fetch(`${base}${p}`)).status, 404, p);
    }
    // The API routes are untouched.
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/api/topology`)).status, 200);
  });

  test('KPIs match the rt API; filter in the URL and the panels; pause and resume', async () => {
    await page.navigate(`${base}/`);
    await page.waitFor(async () => (await body('state')) === 'live', 'connection state "live"');
    // Enough deltas for a full 10 s KPI window and some history in the charts.
    await page.waitFor(async () => (await frames()) >= 20, '20 deltas', 120_000, 250);
    await page.screenshot(join(ARTIFACTS, 'dashboard-overview.png'));
    await page.screenshot(join(ARTIFACTS, 'dashboard-overview-full.png'), true);

    // Requests per second: the dashboard's 10 s average against the rt API's last 10 seconds.
    const rps = await tile('kpi-rps');
    const { data } = await rt();
    assert.ok(data.length >= 10, `rt API has ${data.length} seconds`);
    const newest = data[data.length - 1]!.recorded;
    const last10 = data.filter((d) => d.recorded > newest - 10);
    const rtRps = last10.reduce((a, d) => a + d.aggregated.requests, 0) / 10;
    const dashRps = Number(rps.value);
    assert.ok(rtRps > 0, 'the demo serves edge requests');
    assert.ok(dashRps >= rtRps * 0.5 && dashRps <= rtRps * 2, `dashboard ${dashRps} req/s vs rt API ${rtRps} req/s`);
    assert.ok(Math.abs(parseCompact(rps.text) - dashRps) <= dashRps * 0.06, `tile text ${rps.text} shows ${dashRps}`);
    // Hit ratio: same definition (hits / (hits + miss)) on both sides.
    const hits = last10.reduce((a, d) => a + d.aggregated.hits, 0);
    const miss = last10.reduce((a, d) => a + d.aggregated.miss, 0);
    const hit = await tile('kpi-hit');
    assert.ok(Math.abs(Number(hit.value) - hits / (hits + miss)) < 0.15, `hit ratio ${hit.value} vs rt ${hits / (hits + miss)}`);
    const share = await tile('kpi-share');
    assert.ok(Number(share.value) > 0 && Number(share.value) < 1, `CDN share ${share.value}`);
    const shareText = Number(share.text);
    assert.ok(shareText > 0 && shareText < 100, `CDN share text ${share.text}`);
    // The other panels have content.
    assert.ok((await page.evaluate<number>('document.querySelectorAll("#top-user_agent .tr .key").length')) > 0, 'bypassing user agents listed');
    assert.ok((await page.evaluate<number>('document.querySelectorAll("#heatmap tbody th").length')) > 0, 'heatmap has POP rows');
    assert.ok((await page.evaluate<number>('document.querySelectorAll("#tail tr td.num").length')) > 0, 'tail has events');

    // Filter on the new CDN host: in the URL, in the scope line, and the panels only show that host
    // (edge traffic only, so nothing bypasses: CDN share 100 %).
    await page.waitFor(() => page.evaluate<boolean>('[...document.getElementById("f-host").options].some(o => o.value === "cdn.dl.k8s.io")'), 'host option');
    await page.evaluate('document.getElementById("f-host").value = "cdn.dl.k8s.io"; document.getElementById("apply").click(); true');
    assert.equal(await page.evaluate<string>('location.search'), '?host=cdn.dl.k8s.io');
    assert.match(await page.evaluate<string>('document.getElementById("filter-active").textContent'), /host = cdn\.dl\.k8s\.io/);
    await page.waitFor(async () => (await page.evaluate<string>('document.getElementById("legend-hosts").textContent')) === 'cdn.dl.k8s.io' && (await tile('kpi-rps')).value !== '', 'filtered panels', 60_000, 250);
    await page.waitFor(async () => (await frames()) >= 28, 'filtered deltas', 60_000, 250);
    assert.equal(Number((await tile('kpi-share')).value), 1);
    assert.equal(Number((await tile('kpi-bypass')).value), 0);
    await page.screenshot(join(ARTIFACTS, 'dashboard-filtered.png'));

    // The filter survives a reload (it is read back from the URL).
    await page.navigate(`${base}/?host=cdn.dl.k8s.io`);
    await page.waitFor(async () => (await body('state')) === 'live', 'live after reload');
    assert.equal(await page.evaluate<string>('document.getElementById("f-host").value'), 'cdn.dl.k8s.io');
    assert.equal(await body('filter'), JSON.stringify({ host: 'cdn.dl.k8s.io' }));
    await page.evaluate('document.getElementById("clear").click(); true');
    assert.equal(await page.evaluate<string>('location.search'), '');
    await page.waitFor(async () => (await page.evaluate<string>('document.getElementById("legend-hosts").textContent')).includes('storage.googleapis.com'), 'unfiltered again', 60_000, 250);

    // Pause: no deltas while the server keeps producing seconds; resume: a snapshot, then deltas again.
    await page.waitFor(async () => (await frames()) >= 2, 'deltas before pausing', 60_000, 250);
    await page.evaluate('document.getElementById("pause").click(); true');
    assert.equal(await body('state'), 'paused');
    assert.equal(await page.evaluate<string>('document.getElementById("pause").textContent'), 'Resume');
    await rtAdvance(2); // a delta in flight when pausing has arrived by now
    const pausedAt = await frames();
    await rtAdvance(3);
    assert.equal(await frames(), pausedAt, 'no deltas while paused');
    await page.screenshot(join(ARTIFACTS, 'dashboard-paused.png'));
    const snapshots = Number(await body('snapshots'));
    await page.evaluate('document.getElementById("pause").click(); true');
    assert.equal(await body('state'), 'live');
    await page.waitFor(async () => Number(await body('snapshots')) > snapshots && (await frames()) > pausedAt, 'deltas after resume', 60_000, 250);

    assert.deepEqual(page.logs.filter((l) => l.startsWith('exception') || l.startsWith('console.error')), []);
  });
});

/** "1.23k" → 1230, "456" → 456. */
function parseCompact(text: string): number {
  const m = /^(-?[\d.]+)([kMG]?)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]!]!;
}
