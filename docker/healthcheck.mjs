// Container HEALTHCHECK: exit 0 when edgetail's /health answers 200 within 4 s, 1 otherwise.
// URL: $EDGETAIL_HEALTH_URL, else the first argument (the Dockerfile passes http://127.0.0.1:8686/health).
const url = process.env.EDGETAIL_HEALTH_URL || process.argv[2] || 'http://127.0.0.1:8686/health';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
