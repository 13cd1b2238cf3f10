/**
 * Types for parse-prometheus-text-format 1.1.x (the package ships none). Shapes as its README and
 * source describe them (prom2json-compatible): every number is a string as written ("+Inf", "NaN").
 */
declare module 'parse-prometheus-text-format' {
  export interface PromSample {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
    /** Histograms: upper bound ("0.5", "+Inf") → cumulative count. */
    buckets?: Record<string, string>;
    /** Summaries: quantile ("0.99") → value. */
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface PromFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PromSample[];
  }
  /** Throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
