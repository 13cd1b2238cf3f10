/** Renders the panels from the Store: KPI tiles, charts, top-k tables, heatmap, tail. */
import { sparkline, TimeChart, type Series } from './chart.mjs';
import { escapeHtml, fmtBits, fmtClock, fmtCount, fmtPct } from './format.mjs';
import { CHART_SECS, type Store } from './store.mjs';
import { STATUS_CLASSES, type TopkDimension } from './types.mjs';

const HOST_COLORS = ['#5eb1f0', '#f0a35e', '#7ad38f', '#c99bf0', '#f06e8a', '#e8d66a'];
const STATUS_COLORS: Record<string, string> = { '1xx': '#8b98a9', '2xx': '#4fae7a', '3xx': '#5eb1f0', '4xx': '#e8b04a', '5xx': '#f0556e' };
const HEAT_SECS = 60;

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
}

function setTile(id: string, value: number | null, text: string, unit: string, sub: string): void {
  const tile = $(id);
  tile.dataset.value = value === null ? '' : String(value);
  tile.querySelector('.v')!.textContent = text;
  tile.querySelector('.u')!.textContent = unit;
  tile.querySelector('.sub')!.textContent = sub;
}

export class Panels {
  private readonly share = new TimeChart($('chart-share'), { yMax: 100, yFormat: (v) => v.toFixed(0) + '%', fill: true });
  private readonly hosts = new TimeChart($('chart-hosts'), { yFormat: fmtCount });
  private readonly status = new TimeChart($('chart-status'), { stacked: true, yFormat: fmtCount });

  constructor(private readonly store: Store) {}

  render(): void {
    this.renderKpis();
    this.renderCharts();
    this.renderTopk();
    this.renderHeatmap();
    this.renderTail();
  }

  renderKpis(): void {
    const k = this.store.kpis();
    if (!k) {
      for (const id of ['kpi-rps', 'kpi-bw', 'kpi-hit', 'kpi-offload', 'kpi-share', 'kpi-bypass']) setTile(id, null, '–', '', 'waiting for data');
      return;
    }
    const avg = `${k.windowSecs} s avg`;
    setTile('kpi-rps', k.reqPerSec, fmtCount(k.reqPerSec), 'req/s', `edge · ${avg}`);
    const bw = fmtBits(k.bitsPerSec);
    setTile('kpi-bw', k.bitsPerSec, bw.value, bw.unit, `edge + origin · ${avg}`);
    setTile('kpi-hit', k.hitRatio, fmtPct(k.hitRatio), '%', 'hit / (hit + miss)');
    setTile('kpi-offload', k.originOffload, fmtPct(k.originOffload), '%', 'edge bytes served from cache');
    setTile('kpi-share', k.cdnShare, fmtPct(k.cdnShare), '%', 'edge / (edge + bypass)');
    setTile('kpi-bypass', k.bypassPerSec, fmtCount(k.bypassPerSec), 'req/s', 'origin, not via the CDN');
    $('kpi-share').classList.toggle('warn', k.cdnShare !== null && k.cdnShare < 0.5);
  }

  renderCharts(): void {
    const range = this.store.range(CHART_SECS);
    const times = range.map((r) => r.t);
    this.share.draw(times, [{ name: 'CDN share', color: '#5eb1f0', values: range.map((r) => (r.s?.cdnShare == null ? null : r.s.cdnShare * 100)) }]);

    const hosts = this.store.topHosts(HOST_COLORS.length);
    const hostSeries: Series[] = hosts.map((h, i) => ({ name: h, color: HOST_COLORS[i]!, values: range.map((r) => (r.s ? r.s.hosts[h] ?? 0 : null)) }));
    this.hosts.draw(times, hostSeries);
    legend('legend-hosts', hostSeries);

    const statusSeries: Series[] = STATUS_CLASSES.filter((c) => c !== '1xx').map((c) => ({ name: c, color: STATUS_COLORS[c]!, values: range.map((r) => (r.s ? r.s.status[c] : null)) }));
    this.status.draw(times, statusSeries);
    legend('legend-status', statusSeries);

    const last = range.length ? range[range.length - 1]!.s : null;
    $('share-now').textContent = last?.cdnShare == null ? '' : `now ${fmtPct(last.cdnShare)}%`;
  }

  renderTopk(): void {
    const topk = this.store.topk;
    for (const dim of ['user_agent', 'client_prefix', 'referer', 'path'] as TopkDimension[]) {
      const list = topk?.bypass[dim] ?? [];
      const el = $(`top-${dim}`);
      if (list.length === 0) {
        el.innerHTML = '<div class="empty">no bypassing traffic</div>';
        continue;
      }
      const max = list[0]!.count;
      el.innerHTML = list
        .slice(0, 8)
        .map((e) => {
          const label = e.key === '' ? '(none)' : e.key;
          // Paths differ at the end (release, artifact): keep the end visible.
          const shown = dim === 'path' && label.length > 34 ? '…' + label.slice(-33) : label;
          return `<div class="tr"><div class="key" title="${escapeHtml(label)}"><span class="bar" style="width:${((e.count / max) * 100).toFixed(1)}%"></span><span class="txt">${escapeHtml(shown)}</span></div>` +
            `<div class="spk">${sparkline(this.store.spark(dim, e.key), 44)}</div><div class="num">${fmtCount(e.count)}</div></div>`;
        })
        .join('');
    }
    $('topk-window').textContent = topk ? `last ${topk.windowSecs} s` : '';
  }

  renderHeatmap(): void {
    const hm = this.store.heatmap(HEAT_SECS);
    const el = $('heatmap');
    if (hm.pops.length === 0) {
      el.innerHTML = '<tbody><tr><td class="empty">no origin fetches</td></tr></tbody>';
      return;
    }
    const head = `<thead><tr><th></th>${hm.releases.map((r) => `<th>${escapeHtml(r)}</th>`).join('')}</tr></thead>`;
    const rows = hm.pops
      .map((p) => {
        const cells = hm.releases
          .map((r) => {
            const n = hm.cell(p, r);
            const a = hm.max > 0 ? Math.sqrt(n / hm.max) : 0;
            return `<td style="background:rgba(240,163,94,${(0.06 + a * 0.84).toFixed(3)})" title="${escapeHtml(p)} · ${escapeHtml(r)}: ${n}">${n || ''}</td>`;
          })
          .join('');
        return `<tr><th>${escapeHtml(p)}</th>${cells}</tr>`;
      })
      .join('');
    el.innerHTML = head + `<tbody>${rows}</tbody>`;
  }

  renderTail(): void {
    const rows = this.store.tail.slice(0, 40).map((e) => {
      const f = e.fields;
      const s = (k: string): string => (f[k] === undefined || f[k] === null ? '' : escapeHtml(String(f[k])));
      const layer = String(f.layer ?? '');
      const bypass = layer === 'origin' && f.via_cdn !== true;
      const status = Number(f.status);
      const cls = status >= 500 ? 's5' : status >= 400 ? 's4' : '';
      return `<tr><td class="num">${fmtClock(e.ts / 1000)}</td><td><span class="tag ${bypass ? 'bypass' : layer}">${bypass ? 'bypass' : escapeHtml(layer)}</span></td>` +
        `<td class="num ${cls}">${s('status')}</td><td>${s('cache_state')}</td><td>${s('pop')}</td><td>${s('host')}</td>` +
        `<td class="mono">${s('client_ip')}</td><td class="ua" title="${s('user_agent')}">${s('user_agent')}</td><td class="path" title="${s('path')}">${s('path')}</td></tr>`;
    });
    $('tail').innerHTML = rows.length ? rows.join('') : '<tr><td class="empty" colspan="9">waiting for events</td></tr>';
  }
}

function legend(id: string, series: Series[]): void {
  $(id).innerHTML = series.map((s) => `<span class="li"><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`).join('');
}
