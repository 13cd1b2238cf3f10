/** Shown at / when the live dashboard is not built (`npm run build` builds dashboards/live). */
export function placeholderPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>edgetail</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:42rem;color:#1d2733}code{background:#eef2f6;padding:0 .3em;border-radius:3px}</style></head>
<body><h1>edgetail</h1><p>The pipeline is running. The live cutover dashboard is not built: run <code>npm run build</code>.</p>
<ul><li><a href="/api/topology">/api/topology</a> — components, state and counters</li>
<li><a href="/metrics">/metrics</a> — Prometheus metrics</li><li><a href="/health">/health</a>, <a href="/ready">/ready</a></li></ul></body></html>`;
}
