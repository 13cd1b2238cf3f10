/** Shared bits of the kafka integration tests: lines, configs, unique topic names. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function makeLines(n: number, pops: readonly string[] = ['IAD', 'LHR', 'NRT', 'FRA']): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `{"timestamp":"2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z","client_ip":"203.0.113.${i % 250}","host":"dl.k8s.io","url":"/release/v1.28.${i % 13}/bin/linux/amd64/kubectl","method":"GET","status":200,"cache_state":"HIT","resp_bytes":${1000 + i},"pop":"${pops[i % pops.length]}","is_edge":true,"request_id":"req-${i}"}`,
    );
  }
  return parts.join('\n') + '\n';
}

/** A TCP port that was free a moment ago (for child processes that need a fixed api.address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Agent: file → kafka. */
export function agentConfig(o: { dataDir: string; logFile: string; brokers: string; topic: string; keyField?: string }): string {
  return [
    `data_dir: ${o.dataDir}`,
    'api: { enabled: false }',
    'sources:',
    '  edge:',
    '    type: file',
    `    include: [${o.logFile}]`,
    '    format: fastly_json',
    'sinks:',
    '  bus:',
    '    type: kafka',
    '    inputs: [edge]',
    `    bootstrap_servers: ${o.brokers}`,
    `    topic: ${o.topic}`,
    `    key_field: ${o.keyField ?? 'pop'}`,
    '    compression: gzip',
    '    request: { retry_initial_backoff_secs: 0.1, retry_max_backoff_secs: 2 }',
  ].join('\n');
}

/** Collector: kafka → http. */
export function collectorConfig(o: {
  dataDir: string;
  brokers: string;
  topic: string;
  group: string;
  uri: string;
  shutdownSecs?: number;
  sessionTimeoutMs?: number;
  apiPort?: number;
}): string {
  return [
    `data_dir: ${o.dataDir}`,
    o.apiPort === undefined ? 'api: { enabled: false }' : `api: { address: "127.0.0.1:${o.apiPort}" }`,
    ...(o.shutdownSecs !== undefined ? [`shutdown_timeout_secs: ${o.shutdownSecs}`] : []),
    'sources:',
    '  bus:',
    '    type: kafka',
    `    bootstrap_servers: ${o.brokers}`,
    `    group_id: ${o.group}`,
    `    topics: [${o.topic}]`,
    '    start_from: earliest',
    ...(o.sessionTimeoutMs !== undefined ? [`    session_timeout_ms: ${o.sessionTimeoutMs}`] : []),
    'sinks:',
    '  out:',
    '    type: http',
    '    inputs: [bus]',
    `    uri: ${o.uri}`,
    '    compression: gzip',
    '    batch: { max_events: 1000, timeout_secs: 0.2 }',
    '    request: { concurrency: 4, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.5 }',
  ].join('\n');
}
