/** One sample line of the Prometheus text exposition format (version 0.0.4). */
export interface PromSample {
  name: string;
  /** Shared by the lines of one label set in a body: read-only. */
  labels: Readonly<Record<string, string>>;
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
 * MetricsFormatError naming the first bad line. With `keep`, every line is checked the same way
 * but only the samples of those metrics are returned.
 */
export function parsePrometheusText(text: string, keep?: ReadonlySet<string>): PromSample[] {
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new MetricsFormatError(0, 'the body does not end with a line feed (cut off?)');
  }
  const samples: PromSample[] = [];
  const typed = new Set<string>();
  const helped = new Set<string>();
  const sampled = new Set<string>();
  const series = new SeriesSet(text, typed);
  const fast = new FastSampleReader(keep);
  let start = 0;
  for (let lineNo = 1; start < text.length; lineNo++) {
    const from = start;
    const end = text.indexOf('\n', start);
    const to = text.charCodeAt(end - 1) === 13 /* \r */ ? end - 1 : end;
    start = end + 1;
    if (from === to) continue;
    let read = fast.read(text, from, to);
    if (!read) {
      const line = text.slice(from, to).trimStart();
      if (line.trimEnd() === '') continue;
      if (line.charCodeAt(0) === 35 /* # */) {
        readComment(line, lineNo, { typed, helped, sampled });
        continue;
      }
      read = slowSample(line, lineNo, typed);
    }
    series.add(read.fingerprint, from, lineNo);
    sampled.add(read.name);
    if (read.sample && (!keep || keep.has(read.name))) samples.push(read.sample);
  }
  return samples;
}

/** A sample line read: its metric, its series fingerprint and, when kept, the sample. */
interface SampleLine {
  name: string;
  fingerprint: number;
  sample: PromSample | null;
}

/**
 * The series of a body, each once. A series is known by a 32-bit fingerprint of its name and
 * labels that ignores the labels' order; lines with the same fingerprint are compared in full.
 */
class SeriesSet {
  /** Where the first line of each fingerprint starts in the text. */
  private readonly firstLine = new Map<number, number>();
  private readonly collided = new Map<number, Set<string>>();

  constructor(
    private readonly text: string,
    private readonly typed: ReadonlySet<string>,
  ) {}

  add(fingerprint: number, lineStart: number, lineNo: number): void {
    const first = this.firstLine.get(fingerprint);
    if (first === undefined) {
      this.firstLine.set(fingerprint, lineStart);
      return;
    }
    let keys = this.collided.get(fingerprint);
    if (!keys) {
      keys = new Set([this.keyOf(first, lineNo)]);
      this.collided.set(fingerprint, keys);
    }
    const key = this.keyOf(lineStart, lineNo);
    if (keys.has(key)) throw new MetricsFormatError(lineNo, `duplicate series ${key}`);
    keys.add(key);
  }

  /** `name{label="value",...}`, labels sorted by name, values escaped as in the format. */
  private keyOf(lineStart: number, lineNo: number): string {
    const line = this.text.slice(lineStart, this.text.indexOf('\n', lineStart)).trim();
    const { name, labels } = readSample(line, lineNo, this.typed);
    const pairs = Object.keys(labels)
      .sort()
      .map((label) => `${label}="${escapeLabelValue(labels[label])}"`);
    return `${name}{${pairs.join(',')}}`;
  }
}

function slowSample(line: string, lineNo: number, typed: ReadonlySet<string>): SampleLine {
  const sample = readSample(line, lineNo, typed);
  let labelsHash = 0;
  for (const [label, value] of Object.entries(sample.labels)) {
    labelsHash = (labelsHash + mix(hashChars(value, 0, value.length, labelNameHash(label)))) | 0;
  }
  const nameHash = hashChars(sample.name, 0, sample.name.length);
  return { name: sample.name, fingerprint: mix(nameHash ^ labelsHash), sample };
}

/**
 * Reads the common shape of a sample line, `text` from `from` to `to`, without building what is
 * not kept: `name{a="x",...} value` or `name value timestamp`, single spaces, no escapes, a
 * number. Null for anything else, which `readSample` then reads (or refuses) by the full grammar.
 * Names repeat from line to line: the previous line's strings are reused rather than cut again.
 * Label sets repeat too (one per GPU, on a line of every metric): one read in full is kept with
 * its hash and labels, and a later line that holds the same text is not read again.
 */
class FastSampleReader {
  private metric = '';
  private metricHash = FNV_OFFSET;
  private readonly labelNames: string[] = [];
  private readonly lineLabelHashes: number[] = [];
  /** The hash of the name readName last read. */
  private nameHash = FNV_OFFSET;
  private readonly blocks: LabelBlock[] = [];
  /** Known blocks by hash: a (rare) second text of one hash is read in full each time. */
  private readonly blockByHash = new Map<number, LabelBlock>();
  /** The block of the last line that had one (-1: none yet). */
  private lastBlock = -1;

  constructor(private readonly keep: ReadonlySet<string> | undefined) {}

  read(text: string, from: number, to: number): SampleLine | null {
    let name = this.metric;
    let nameHash = this.metricHash;
    // The previous line's metric, whole (not the start of a longer name): not read again.
    if (
      name === '' ||
      !holdsAt(text, from, name) ||
      isNameChar(text.charCodeAt(from + name.length), false, true)
    ) {
      const read = this.readName(text, from, to, name, true);
      if (read === null) return null;
      name = this.metric = read;
      nameHash = this.metricHash = this.nameHash;
    }
    let i = from + name.length;
    const kept = !this.keep || this.keep.has(name);
    let labels: Readonly<Record<string, string>> | null = null;
    let labelsHash = 0;
    const known = text.charCodeAt(i) === 123 /* { */ ? this.knownBlockAt(text, i) : undefined;
    if (known) {
      i += known.text.length;
      labelsHash = known.hash;
      if (kept) labels = known.labels;
    } else if (text.charCodeAt(i) === 123) {
      const read: Record<string, string> = {};
      const hashes = this.lineLabelHashes;
      hashes.length = 0;
      const blockStart = i;
      i++;
      while (text.charCodeAt(i) !== 125 /* } */) {
        const label = this.readName(text, i, to, this.labelNames[hashes.length] ?? '', false);
        if (label === null) return null;
        i += label.length;
        if (text.charCodeAt(i) !== 61 /* = */ || text.charCodeAt(i + 1) !== 34 /* " */) return null;
        let hash = this.nameHash;
        // Two labels of one name (or a rare hash collision): readSample tells.
        if (hashes.includes(hash)) return null;
        this.labelNames[hashes.length] = label;
        hashes.push(hash);
        // An object cannot hold this one as a plain property: readSample.
        if (label === '__proto__') return null;
        hash = Math.imul(hash ^ 0x3d /* = */, FNV_PRIME);
        const valueStart = i + 2;
        for (i = valueStart; ; i++) {
          if (i >= to) return null;
          const code = text.charCodeAt(i);
          if (code === 34) break;
          if (code === 92 /* \ */) return null;
          hash = Math.imul(hash ^ code, FNV_PRIME);
        }
        read[label] = text.slice(valueStart, i);
        labelsHash = (labelsHash + mix(hash)) | 0;
        i++;
        if (text.charCodeAt(i) === 44 /* , */) i++;
        else if (text.charCodeAt(i) !== 125) return null;
      }
      i++;
      const block = this.remember(text.slice(blockStart, i), labelsHash, read);
      if (kept) labels = block.labels;
    }
    if (text.charCodeAt(i) !== 32 /* space */) return null;
    const blank = text.indexOf(' ', i + 1);
    const valueEnd = blank === -1 || blank > to ? to : blank;
    const rawValue = text.slice(i + 1, valueEnd);
    const rawTimestamp = valueEnd === to ? null : text.slice(valueEnd + 1, to);
    if (
      rawValue.length > MAX_NUMBER_LENGTH ||
      rawValue.charCodeAt(rawValue.length - 1) === 102 /* f: Inf */ ||
      !FLOAT.test(rawValue) ||
      (rawTimestamp !== null && !TIMESTAMP.test(rawTimestamp))
    ) {
      return null;
    }
    const fingerprint = mix(nameHash ^ labelsHash);
    if (!kept) return { name, fingerprint, sample: null };
    const timestampMs = rawTimestamp === null ? null : Number(rawTimestamp);
    return {
      name,
      fingerprint,
      sample: { name, labels: labels ?? {}, value: Number(rawValue), timestampMs },
    };
  }

  /**
   * The label set at `at` when it is, char for char, one already read: first the one after the
   * last line's (dcgm-exporter writes the GPUs in the same order under every metric), then the
   * last line's own. A known set is one `{...}` read and checked in full, so the same text reads
   * the same; it holds no line feed, so it cannot run past the line.
   */
  private knownBlockAt(text: string, at: number): LabelBlock | undefined {
    const count = this.blocks.length;
    if (count === 0) return undefined;
    const next = this.lastBlock + 1 < count ? this.lastBlock + 1 : 0;
    if (holdsAt(text, at, this.blocks[next].text)) {
      this.lastBlock = next;
      return this.blocks[next];
    }
    const last = this.lastBlock;
    if (last !== next && holdsAt(text, at, this.blocks[last].text)) return this.blocks[last];
    return undefined;
  }

  /** Keeps a label set read in full (up to MAX_KNOWN_BLOCKS of a body) and makes it the last. */
  private remember(text: string, hash: number, labels: Record<string, string>): LabelBlock {
    const known = this.blockByHash.get(hash);
    if (known?.text === text) {
      this.lastBlock = this.blocks.indexOf(known);
      return known;
    }
    const block: LabelBlock = { text, hash, labels: Object.freeze(labels) };
    if (!known && this.blocks.length < MAX_KNOWN_BLOCKS) {
      this.lastBlock = this.blocks.push(block) - 1;
      this.blockByHash.set(hash, block);
    }
    return block;
  }

  /**
   * The metric or label name at `from`, null when there is none: `cached` (the previous line's)
   * when it is the same text, else cut from the text. Its FNV-1a hash is left in `nameHash`.
   */
  private readName(
    text: string,
    from: number,
    to: number,
    cached: string,
    metric: boolean,
  ): string | null {
    let i = from;
    let hash = FNV_OFFSET;
    let same = true;
    for (; i < to; i++) {
      const code = text.charCodeAt(i);
      if (!isNameChar(code, i === from, metric)) break;
      hash = Math.imul(hash ^ code, FNV_PRIME);
      const at = i - from;
      if (same && (at >= cached.length || cached.charCodeAt(at) !== code)) same = false;
    }
    this.nameHash = hash;
    if (i === from) return null;
    return same && cached.length === i - from ? cached : text.slice(from, i);
  }
}

/** `text.startsWith(part, at)`, ten times faster on V8 for a few hundred chars (the slice is compared whole). */
function holdsAt(text: string, at: number, part: string): boolean {
  return text.slice(at, at + part.length) === part;
}

/** A label set `{...}` as written in a body, its hash (see SeriesSet) and its labels, shared by its lines. */
interface LabelBlock {
  text: string;
  hash: number;
  labels: Readonly<Record<string, string>>;
}

/** Distinct label sets a body's reader keeps: a node's GPUs and their MIG instances, with room to spare. */
const MAX_KNOWN_BLOCKS = 256;

/** Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]*. */
function isNameChar(code: number, first: boolean, metric: boolean): boolean {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return letter || (!first && code >= 48 && code <= 57) || (metric && code === 58);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a continued over `text` from `from` to `to`. */
function hashChars(text: string, from: number, to: number, hash = FNV_OFFSET): number {
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** A label name's hash, and a separator: a label's hash continues over its value. */
function labelNameHash(label: string): number {
  return Math.imul(hashChars(label, 0, label.length) ^ 0x3d, FNV_PRIME);
}

/** murmur3's 32-bit finaliser. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
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
    while (i < line.length && isNameChar(line.charCodeAt(i), i === nameStart, false)) i++;
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

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}
