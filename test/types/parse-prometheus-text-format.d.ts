/** parse-prometheus-text-format 1.1.1 ships no types: the part the tests use (a dev dependency). */
declare module 'parse-prometheus-text-format' {
  /** One sample of a family; numbers stay the text the exporter wrote. */
  export interface LaxPromSample {
    value?: string;
    labels?: Record<string, string>;
    timestamp_ms?: string;
  }
  export interface LaxPromFamily {
    name: string;
    help: string;
    /** Upper case: GAUGE, COUNTER, HISTOGRAM, SUMMARY or UNTYPED. */
    type: string;
    metrics: LaxPromSample[];
  }
  function parsePrometheusTextFormat(text: string): LaxPromFamily[];
  export = parsePrometheusTextFormat;
}
