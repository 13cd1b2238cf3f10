/**
 * Sinks known to use a log event's fields only through the wire encoding (src/delivery/encoding.ts)
 * and peekField: for them a LazyLogEvent's JSON text is spliced into the payload as it is. When every
 * consumer of a source is such a sink, the topology tells the source (SourceContext.fieldsAsJson)
 * and it serializes each event's fields once, right after parsing, instead of once per sink; the
 * parsed objects then die young (measured: bench/README.md). A sink missing here still works with
 * lazy events (reading `fields` parses the text), only slower; a listed sink that starts reading
 * `ev.fields` directly stays correct for the same reason.
 *
 * The fields such sinks read one by one (peekField: HEC's host and indexed fields, Datadog's
 * hostname) are listed by peekedKeys: the source captures them while it still holds the parsed
 * object, so no sink scans the text for them.
 */
interface SinkConfigLike {
  encoding?: { except_fields?: readonly string[] | undefined; only_fields?: readonly string[] | undefined; codec?: string } | undefined;
}

const SPLICING = new Set(['splunk_hec_logs', 'http', 'datadog_logs', 'aws_s3', 'blackhole']);

export function splicesFields(type: string, config: unknown): boolean {
  if (!SPLICING.has(type)) return false;
  // A disk buffer keeps lazy events lazy (src/buffer/disk/record.ts stores their text).
  const enc = (config as SinkConfigLike).encoding;
  // except/only fields build a filtered wire object from the parsed fields.
  return !(enc?.except_fields?.length || enc?.only_fields?.length);
}

/** Fields a splicing sink reads with peekField (see above); [] when it reads none. */
export function peekedKeys(type: string, config: unknown): string[] {
  const c = config as { host_key?: string; indexed_fields?: readonly string[]; hostname_field?: string; endpoint_target?: string };
  if (type === 'splunk_hec_logs') return c.endpoint_target === 'raw' ? [] : [c.host_key ?? 'node', ...(c.indexed_fields ?? [])];
  if (type === 'datadog_logs') return [c.hostname_field ?? 'node'];
  return [];
}

/** The union of peekedKeys of a source's sinks, or undefined when there is none. */
export function sourcePeekKeys(sinks: ReadonlyArray<{ type: string; config: unknown }>): string[] | undefined {
  const keys = new Set<string>();
  for (const s of sinks) for (const k of peekedKeys(s.type, s.config)) keys.add(k);
  return keys.size > 0 ? [...keys] : undefined;
}
