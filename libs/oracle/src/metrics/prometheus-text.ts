/** One sample line of the Prometheus text exposition format (version 0.0.4). */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  /** NaN when the exporter wrote something else than a number (see `unreadable`). */
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs: number | null;
  /** The text in place of the value, when it was not a number. */
  unreadable?: string;
}

/** A body that is not valid Prometheus text; `line` is 1-based, 0 when the whole body is at fault. */
export class MetricsFormatError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `line ${line}: ${problem}` : problem);
    this.name = 'MetricsFormatError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** One way to match each number (no backtracking blow-up on long digit runs). */
const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf)$/;
const MAX_NUMBER_LENGTH = 64;
const TIMESTAMP = /^-?\d{1,16}$/;
const METRIC_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/**
 * Parses Prometheus text strictly: every line must be a comment, a well-formed HELP or TYPE, a
 * well-formed sample or blank; a metric is typed at most once and before its samples; a series
 * appears once; the body ends with a line feed (a cut-off body is refused). Throws
 * MetricsFormatError naming the first bad line.
 */
export function parsePrometheusText(text: string): PromSample[] {
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new MetricsFormatError(0, 'the body does not end with a line feed (cut off?)');
  }
  const samples: PromSample[] = [];
  const typed = new Set<string>();
  const helped = new Set<string>();
  const sampled = new Set<string>();
  const series = new Set<string>();
  let start = 0;
  for (let lineNo = 1; start < text.length; lineNo++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, text[end - 1] === '\r' ? end - 1 : end).trimStart();
    start = end + 1;
    if (line.trimEnd() === '') continue;
    if (line.charCodeAt(0) === 35 /* # */) {
      readComment(line, lineNo, { typed, helped, sampled });
      continue;
    }
    const sample = readSample(line, lineNo, typed);
    const key = seriesKey(sample);
    if (series.has(key)) throw new MetricsFormatError(lineNo, `duplicate series ${key}`);
    series.add(key);
    sampled.add(sample.name);
    samples.push(sample);
  }
  return samples;
}

function readComment(
  line: string,
  lineNo: number,
  seen: { typed: Set<string>; helped: Set<string>; sampled: Set<string> },
): void {
  const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!match) return; // any other comment
  const [, keyword, name, rest = ''] = match;
  if (!METRIC_NAME.test(name)) throw new MetricsFormatError(lineNo, `invalid metric name ${name}`);
  if (keyword === 'HELP') {
    if (seen.helped.has(name)) throw new MetricsFormatError(lineNo, `second HELP for ${name}`);
    seen.helped.add(name);
    return;
  }
  const type = rest.trim();
  if (!METRIC_TYPES.has(type)) throw new MetricsFormatError(lineNo, `unknown metric type ${type}`);
  if (seen.typed.has(name)) throw new MetricsFormatError(lineNo, `second TYPE for ${name}`);
  if (seen.sampled.has(name)) {
    throw new MetricsFormatError(lineNo, `TYPE for ${name} after its samples`);
  }
  seen.typed.add(name);
}

/**
 * A sample of a metric declared by TYPE whose value is not a number (dcgm-exporter writes
 * `ERROR - FAILED TO CONVERT TO STRING` for fields it cannot read) is kept, unreadable, so that
 * the series that matter can still be judged; anywhere else such a line is malformed.
 */
function readSample(line: string, lineNo: number, typed: ReadonlySet<string>): PromSample {
  const fail = (problem: string): never => {
    throw new MetricsFormatError(lineNo, problem);
  };
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) fail(`invalid metric name ${JSON.stringify(name.slice(0, 80))}`);
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  while (line[i] === ' ' || line[i] === '\t') i++;
  if (line[i] === '{') i = readLabels(line, i + 1, labels, fail);
  const rest = line.slice(i).trim();
  if (rest === '') fail(`no value for ${name}`);
  const fields = rest.split(/[ \t]+/);
  const [rawValue, rawTimestamp] = fields;
  const isNumber = rawValue.length <= MAX_NUMBER_LENGTH && FLOAT.test(rawValue);
  if (!isNumber && rawValue !== 'NaN') {
    if (!typed.has(name)) fail(`invalid value ${rawValue.slice(0, 40)}`);
    return { name, labels, value: NaN, timestampMs: null, unreadable: rest.slice(0, 80) };
  }
  if (fields.length > 2) fail(`unexpected text after the value of ${name}`);
  const value = Number(rawValue.replace(/inf$/i, 'Infinity'));
  let timestampMs: number | null = null;
  if (rawTimestamp !== undefined) {
    if (!TIMESTAMP.test(rawTimestamp)) fail(`invalid timestamp ${rawTimestamp.slice(0, 40)}`);
    timestampMs = Number(rawTimestamp);
  }
  return { name, labels, value, timestampMs };
}

/** Reads `name="value",...}` from `i`; returns the index after the closing brace. */
function readLabels(
  line: string,
  i: number,
  labels: Record<string, string>,
  fail: (problem: string) => never,
): number {
  const skipBlanks = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  for (;;) {
    skipBlanks();
    if (line[i] === '}') return i + 1;
    if (i >= line.length) fail('unterminated label set');
    const nameStart = i;
    while (i < line.length && isLabelNameChar(line.charCodeAt(i), i === nameStart)) i++;
    const name = line.slice(nameStart, i);
    if (name === '') fail(`invalid label name at column ${i + 1}`);
    skipBlanks();
    if (line[i] !== '=') fail(`expected = after label ${name}`);
    i++;
    skipBlanks();
    if (line[i] !== '"') fail(`expected a quoted value for label ${name}`);
    i++;
    let value = '';
    let chunk = i;
    for (;;) {
      if (i >= line.length) fail(`unterminated value of label ${name}`);
      const code = line.charCodeAt(i);
      if (code === 34 /* " */) {
        value += line.slice(chunk, i++);
        break;
      }
      if (code === 92 /* \\ */) {
        const escaped = ESCAPES[line[i + 1]];
        if (escaped === undefined) fail(`invalid escape in label ${name}`);
        value += line.slice(chunk, i) + escaped;
        i += 2;
        chunk = i;
      } else {
        i++;
      }
    }
    if (name in labels) fail(`duplicate label ${name}`);
    labels[name] = value;
    skipBlanks();
    if (line[i] === ',') i++;
    else if (line[i] !== '}') fail(`expected , or } after label ${name}`);
  }
}

/** [a-zA-Z_][a-zA-Z0-9_]* */
function isLabelNameChar(code: number, first: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return letter || (!first && code >= 48 && code <= 57);
}

function seriesKey(sample: PromSample): string {
  const pairs = Object.keys(sample.labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(sample.labels[name])}`);
  return `${sample.name}{${pairs.join(',')}}`;
}
