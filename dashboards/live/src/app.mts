/**
 * The live cutover dashboard: wires the /live feed, the store, the panels, the filter (kept in the
 * URL query string) and pause/resume. State for tests and scripts is mirrored on <body data-*>.
 */
import { FeedConnection, type ConnState } from './feed.mjs';
import { fmtLag } from './format.mjs';
import { Panels } from './panels.mjs';
import { Store } from './store.mjs';
import { FILTER_KEYS, type FilterKey, type LiveFilter, type ServerMsg } from './types.mjs';

/** URL query parameter for each filter key (`status_class` is `status` in the URL). */
const URL_PARAM: Record<FilterKey, string> = { host: 'host', pop: 'pop', layer: 'layer', status_class: 'status', expr: 'expr' };

const store = new Store();
const panels = new Panels(store);
const body = document.body;
let frames = 0;
let lastFrameAt = 0;
let renderQueued = false;

function el<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function filterFromUrl(): LiveFilter | null {
  const q = new URLSearchParams(location.search);
  const f: LiveFilter = {};
  for (const k of FILTER_KEYS) {
    const v = q.get(URL_PARAM[k]);
    if (v) f[k] = v;
  }
  return Object.keys(f).length ? f : null;
}

function filterToUrl(f: LiveFilter | null): void {
  const q = new URLSearchParams(location.search);
  for (const k of FILTER_KEYS) {
    const v = f?.[k];
    if (v) q.set(URL_PARAM[k], v);
    else q.delete(URL_PARAM[k]);
  }
  const s = q.toString();
  history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
}

function filterFromForm(): LiveFilter | null {
  const f: LiveFilter = {};
  for (const k of FILTER_KEYS) {
    const v = el<HTMLInputElement | HTMLSelectElement>(`f-${k}`).value.trim();
    if (v) f[k] = v;
  }
  return Object.keys(f).length ? f : null;
}

function showFilter(f: LiveFilter | null): void {
  for (const k of FILTER_KEYS) {
    const input = el<HTMLInputElement | HTMLSelectElement>(`f-${k}`);
    const v = f?.[k] ?? '';
    if (input instanceof HTMLSelectElement && v && ![...input.options].some((o) => o.value === v)) input.add(new Option(v, v));
    input.value = v;
  }
  const text = f ? FILTER_KEYS.filter((k) => f[k]).map((k) => `${k === 'status_class' ? 'status' : k} ${k === 'expr' ? '' : '= '}${f[k]}`).join(' · ') : 'all traffic';
  el('filter-active').textContent = text;
  el('filter-active').classList.toggle('on', !!f);
  body.dataset.filter = f ? JSON.stringify(f) : '';
}

/** Adds newly seen hosts and POPs to the filter's dropdowns (keeps the selection). */
function refreshOptions(): void {
  const add = (id: string, values: string[]): void => {
    const sel = el<HTMLSelectElement>(id);
    const have = new Set([...sel.options].map((o) => o.value));
    for (const v of values.sort()) if (!have.has(v) && v !== '(other)') sel.add(new Option(v, v));
  };
  add('f-host', store.topHosts(20));
  const pops = new Set<string>();
  for (const r of store.range(30)) if (r.s) for (const p of Object.keys(r.s.pops)) pops.add(p);
  add('f-pop', [...pops]);
}

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    panels.render();
    refreshOptions();
  });
}

function setState(state: ConnState, detail: string): void {
  body.dataset.state = state;
  const label: Record<ConnState, string> = { connecting: 'Connecting', live: 'Live', paused: 'Paused', reconnecting: 'Reconnecting' };
  el('conn-text').textContent = label[state];
  el('conn').className = `conn ${state}`;
  el('conn').title = detail;
  el('pause').textContent = feed.isPaused() ? 'Resume' : 'Pause';
  el('pause').classList.toggle('on', feed.isPaused());
}

function onMessage(m: ServerMsg): void {
  switch (m.type) {
    case 'snapshot':
      store.reset(m.seconds, m.topk, m.serverTime);
      body.dataset.snapshots = String(Number(body.dataset.snapshots ?? 0) + 1);
      lastFrameAt = Date.now();
      scheduleRender();
      break;
    case 'delta':
      store.apply(m.seconds, m.topk);
      store.lagMs = m.lagMs;
      store.serverTime = m.serverTime;
      frames++;
      body.dataset.frames = String(frames);
      body.dataset.seq = String(m.seq);
      lastFrameAt = Date.now();
      scheduleRender();
      break;
    case 'tail':
      store.addTail(m.events);
      scheduleRender();
      break;
    case 'dropped':
      toast(`${m.count} frames dropped (slow connection); resynchronizing`);
      break;
    case 'error':
      toast(m.message);
      break;
  }
}

let toastTimer: number | undefined;
function toast(text: string): void {
  const t = el('toast');
  t.textContent = text;
  t.classList.add('show');
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => t.classList.remove('show'), 6000);
}

function tickLag(): void {
  const lag = el('lag');
  if (feed.isPaused()) {
    lag.textContent = 'paused';
    return;
  }
  const stale = lastFrameAt > 0 && Date.now() - lastFrameAt > 3000;
  lag.textContent = stale ? `no frame for ${Math.round((Date.now() - lastFrameAt) / 1000)} s` : `lag ${fmtLag(store.lagMs)}`;
  lag.classList.toggle('bad', stale || (store.lagMs ?? 0) > 5000);
  body.dataset.lagMs = store.lagMs === null ? '' : String(store.lagMs);
}

const token = new URLSearchParams(location.search).get('token');
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live${token ? '?token=' + encodeURIComponent(token) : ''}`;
const feed = new FeedConnection(wsUrl, { onMessage, onState: setState });

const initial = filterFromUrl();
showFilter(initial);
if (initial) feed.setFilter(initial);

el('filter').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = filterFromForm();
  filterToUrl(f);
  showFilter(f);
  feed.setFilter(f);
});
el('clear').addEventListener('click', () => {
  filterToUrl(null);
  showFilter(null);
  feed.setFilter(null);
});
el('pause').addEventListener('click', () => {
  feed.setPaused(!feed.isPaused());
  tickLag();
});
window.addEventListener('resize', scheduleRender);
window.setInterval(tickLag, 500);
panels.render();
feed.start();
