/**
 * edgetail configurations of the benchmark scenarios: one `file` source (fastly_json) into one or
 * more sinks (HEC, Datadog, S3), default or tuned settings, memory or disk buffers.
 */
import { BENCH_TOKEN } from './receiver.js';

export type SinkName = 'hec' | 'datadog' | 's3';

export interface S3Target {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix of this run (objects are counted under it afterwards). */
  prefix: string;
}

export interface BenchConfig {
  dataDir: string;
  file: string;
  sinks: SinkName[];
  hecUrl?: string | undefined;
  datadogUrl?: string | undefined;
  s3?: S3Target | undefined;
  /** Tuned settings (TUNED_* below) instead of the defaults. */
  tuned: boolean;
  buffer: 'memory' | 'disk';
  /** Extra top-level YAML (e.g. an api block for the latency bench). */
  api?: string | undefined;
  /** Extra keys for the file source (e.g. start_at: end). */
  sourceExtra?: string[] | undefined;
  /** Extra sinks (YAML lines, indented under `sinks:`). */
  extraSinks?: string[] | undefined;
}

/**
 * The tuned settings (documented in bench/README.md): parsing in a worker thread (the second core),
 * gzip level 1 on the libuv pool, bigger reads and batches.
 */
export const TUNED_SOURCE = ['parse_workers: 1'];
export const TUNED_SINK = ['compression_level: 1'];

export function benchYaml(c: BenchConfig): string {
  const src = ['type: file', `include: [${JSON.stringify(c.file)}]`, 'format: fastly_json', ...(c.tuned ? TUNED_SOURCE : []), ...(c.sourceExtra ?? [])];
  const common = ['inputs: [edge]', ...(c.tuned ? TUNED_SINK : []), ...(c.buffer === 'disk' ? ['buffer: { type: disk }'] : [])];
  const lines = [
    `data_dir: ${JSON.stringify(c.dataDir)}`,
    c.api ?? 'api: { enabled: false }',
    'sources:',
    '  edge:',
    ...src.map((l) => `    ${l}`),
    'sinks:',
  ];
  const sink = (name: string, own: string[]) => lines.push(`  ${name}:`, ...[...own, ...common].map((l) => `    ${l}`));
  for (const s of c.sinks) {
    if (s === 'hec') {
      sink('hec', ['type: splunk_hec_logs', `endpoint: ${c.hecUrl}`, `token: ${BENCH_TOKEN}`, 'compression: gzip']);
    } else if (s === 'datadog') {
      sink('datadog', ['type: datadog_logs', `endpoint: ${c.datadogUrl}`, `api_key: ${BENCH_TOKEN}`]);
    } else {
      const t = c.s3!;
      sink('s3', [
        'type: aws_s3',
        `bucket: ${t.bucket}`,
        `endpoint: ${t.endpoint}`,
        `region: ${t.region}`,
        'force_path_style: true',
        `key_prefix: ${JSON.stringify(t.prefix)}`,
        `auth: { access_key_id: ${JSON.stringify(t.accessKeyId)}, secret_access_key: ${JSON.stringify(t.secretAccessKey)} }`,
      ]);
    }
  }
  for (const l of c.extraSinks ?? []) lines.push(`  ${l}`);
  return lines.join('\n') + '\n';
}
