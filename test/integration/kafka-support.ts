/** Shared bits of the kafka integration tests: lines, configs, unique topic names. */
import { randomBytes } from 'node:crypto';

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

/** Agent: file → kafka. */
export function agentConfig(o: { dataDir: string; logFile: string; brokers: string; topic: string }): string {
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
    '    key_field: pop',
    '    compression: gzip',
    '    request: { retry_initial_backoff_secs: 0.1, retry_max_backoff_secs: 2 }',
  ].join('\n');
}

/** Collector: kafka → http. */
export function collectorConfig(o: { dataDir: string; brokers: string; topic: string; group: string; uri: string; shutdownSecs?: number }): string {
  return [
    `data_dir: ${o.dataDir}`,
    'api: { enabled: false }',
    ...(o.shutdownSecs !== undefined ? [`shutdown_timeout_secs: ${o.shutdownSecs}`] : []),
    'sources:',
    '  bus:',
    '    type: kafka',
    `    bootstrap_servers: ${o.brokers}`,
    `    group_id: ${o.group}`,
    `    topics: [${o.topic}]`,
    '    start_from: earliest',
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
