import * as fc from 'fast-check';
import { dcgmFixture as fixture } from './fixtures/dcgm-fixtures';
import parseLax from 'parse-prometheus-text-format';
import { MetricsFormatError, type PromSample, parsePrometheusText } from './prometheus-text';

const A800 = 'dcgm-exporter-a800-mig.prom';
const RTX = 'dcgm-exporter-rtx4000ada-k8s-pod.prom';
const L40S = 'dcgm-exporter-l40s.prom';

interface Flat {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number | null;
}

/** A number as the Prometheus text format writes it (the lax parser keeps the text). */
function laxNumber(raw: string): number | null {
  if (/^[+-]?inf$/i.test(raw)) return raw.startsWith('-') ? -Infinity : Infinity;
  if (raw === 'NaN') return NaN;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw)) return null;
  return Number(raw);
}

/** parse-prometheus-text-format's families, flattened to samples; `null` value when not a number. */
function laxSamples(text: string): (Omit<Flat, 'value'> & { value: number | null })[] {
  return parseLax(text).flatMap((family) =>
    family.metrics.map((metric) => ({
      name: family.name,
      labels: metric.labels ?? {},
      value: laxNumber(metric.value ?? ''),
      timestampMs: metric.timestamp_ms === undefined ? null : Number(metric.timestamp_ms),
    })),
  );
}

/** Ours, without the unreadable samples, as the lax parser flattens them. */
function readable(samples: PromSample[]): Flat[] {
  return samples
    .filter((sample) => sample.unreadable === undefined)
    .map(({ name, labels, value, timestampMs }) => ({ name, labels, value, timestampMs }));
}

function crossChecked(text: string): PromSample[] {
  const ours = parsePrometheusText(text);
  const theirs = laxSamples(text).filter((sample) => sample.value !== null);
  expect(readable(ours)).toEqual(theirs);
  return ours;
}

function refusal(text: string, keep?: ReadonlySet<string>): MetricsFormatError {
  try {
    parsePrometheusText(text, keep);
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsFormatError);
    return error as MetricsFormatError;
  }
  throw new Error(`accepted: ${JSON.stringify(text.slice(0, 200))}`);
}

const A800_GPU0 = 'GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418';

describe('parsePrometheusText on real dcgm-exporter output', () => {
  it.each([
    [A800, 233, 10],
    [RTX, 25, 0],
    [L40S, 23, 0],
  ])('%s: %d samples, %d unreadable', (file, count, unreadable) => {
    const samples = parsePrometheusText(fixture(file));
    expect(samples).toHaveLength(count);
    expect(samples.filter((sample) => sample.unreadable !== undefined)).toHaveLength(unreadable);
    expect(samples.every((sample) => sample.name.startsWith('DCGM_FI_'))).toBe(true);
    expect(samples.every((sample) => sample.timestampMs === null)).toBe(true);
  });

  it.each([A800, RTX, L40S])(
    '%s: same samples (name, labels, value) as parse-prometheus-text-format',
    (file) => {
      const text = fixture(file);
      const ours = parsePrometheusText(text);
      const theirs = laxSamples(text);
      expect(readable(ours)).toEqual(theirs.filter((sample) => sample.value !== null));
      // The lines it could not read as a number are exactly the ones we keep as unreadable.
      expect(theirs.filter((sample) => sample.value === null)).toHaveLength(
        ours.length - readable(ours).length,
      );
    },
  );

  it('A800: reads the first line with all its labels, MIG instance included', () => {
    expect(parsePrometheusText(fixture(A800))[0]).toEqual({
      name: 'DCGM_FI_DEV_SM_CLOCK',
      labels: {
        gpu: '0',
        UUID: A800_GPU0,
        device: 'nvidia0',
        modelName: 'NVIDIA A800-SXM4-80GB',
        GPU_I_PROFILE: '2g.20gb',
        GPU_I_ID: '3',
        Hostname: 'msxf-hpc-64-35-ai',
        DCGM_FI_DRIVER_VERSION: '535.129.03',
        DCGM_FI_PROCESS_NAME: '/usr/bin/dcgm-exporter',
      },
      value: 1410,
      timestampMs: null,
    });
  });

  it('A800: keeps the ERROR values of a typed metric as NaN, unreadable, with their labels', () => {
    const unreadable = parsePrometheusText(fixture(A800)).filter((s) => s.unreadable !== undefined);
    expect(new Set(unreadable.map((s) => s.name))).toEqual(
      new Set(['DCGM_FI_DEV_VGPU_PER_PROCESS_UTILIZATION']),
    );
    expect(unreadable.map((s) => s.labels.gpu)).toEqual([
      '0',
      '0',
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
    ]);
    expect(unreadable.map((s) => s.labels.GPU_I_ID ?? null).slice(0, 4)).toEqual([
      '3',
      '5',
      '6',
      null,
    ]);
    for (const sample of unreadable) {
      expect(sample.value).toBeNaN();
      expect(sample.unreadable).toBe('ERROR - FAILED TO CONVERT TO STRING');
      expect(sample.timestampMs).toBeNull();
    }
  });

  it('A800: 6-decimal values', () => {
    const power = parsePrometheusText(fixture(A800)).filter(
      (s) => s.name === 'DCGM_FI_DEV_POWER_USAGE',
    );
    expect(power.map((s) => s.value)).toEqual([
      78.174, 78.174, 78.446, 55.942, 53.752, 56.99, 58.643, 54.581, 57.145, 55.011,
    ]);
  });

  it('RTX 4000 Ada: empty pod_uid, and the XID labels with a space', () => {
    const samples = parsePrometheusText(fixture(RTX));
    expect(
      samples.every((s) => s.labels.pod_uid === '' && s.labels.pod === 'cuda-75454ffb9f-8ljq7'),
    ).toBe(true);
    const xid = samples.find((s) => s.name === 'DCGM_FI_DEV_XID_ERRORS');
    expect(xid?.labels).toMatchObject({ err_code: '0', err_msg: 'No Error', container: 'cuda' });
    expect(Object.keys(xid!.labels)).toHaveLength(13);
    expect(samples.find((s) => s.name === 'DCGM_FI_PROF_GR_ENGINE_ACTIVE')?.value).toBe(0.004656);
  });

  it('L40S: a large counter value', () => {
    const energy = parsePrometheusText(fixture(L40S)).find(
      (s) => s.name === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    );
    expect(energy?.value).toBe(5551899580);
    expect(energy?.labels.UUID).toBe('GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43');
  });
});

describe('parsePrometheusText: what the format allows', () => {
  it('an empty body is no samples', () => {
    expect(parsePrometheusText('')).toEqual([]);
    expect(parsePrometheusText('\n\n')).toEqual([]);
  });

  it('skips HELP, TYPE, other comments and blank lines', () => {
    const text = [
      '# A comment that is neither HELP nor TYPE',
      '#comment without a blank',
      '# HELP foo A help text with \\\\ and \\n escapes.',
      '# TYPE foo gauge',
      '',
      '   ',
      '\t',
      'foo 1',
      '# HELP bar Bar.',
      '#\tTYPE\tbar\tcounter',
      'bar{a="x"} 2',
      '',
    ].join('\n');
    expect(crossChecked(text)).toEqual([
      { name: 'foo', labels: {}, value: 1, timestampMs: null },
      { name: 'bar', labels: { a: 'x' }, value: 2, timestampMs: null },
    ]);
  });

  it('accepts a HELP without text (the lax parser does not)', () => {
    expect(parsePrometheusText('# HELP foo\n# TYPE foo gauge\nfoo 1\n')).toEqual([
      { name: 'foo', labels: {}, value: 1, timestampMs: null },
    ]);
  });

  it('unescapes \\\\, \\" and \\n in label values', () => {
    const text =
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n';
    const [sample] = crossChecked(text);
    expect(sample.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(sample.value).toBe(1458255915);
  });

  it('keeps braces, commas, = and # inside label values', () => {
    expect(crossChecked('foo{a="x{1},y=2 #3"} 4\n')[0].labels).toEqual({ a: 'x{1},y=2 #3' });
  });

  it('accepts a trailing comma and an empty label set', () => {
    expect(crossChecked('jvm_gc_collection_seconds_count{gc="Copy",} 104.0\nfoo{} 1\n')).toEqual([
      {
        name: 'jvm_gc_collection_seconds_count',
        labels: { gc: 'Copy' },
        value: 104,
        timestampMs: null,
      },
      { name: 'foo', labels: {}, value: 1, timestampMs: null },
    ]);
  });

  it('accepts blanks after commas (old dcgm-exporter style)', () => {
    // The lax parser refuses this one, so only ours is checked.
    expect(
      parsePrometheusText(
        'DCGM_FI_DEV_GPU_TEMP{gpu="0", UUID="GPU-x", device="nvidia0",\tmodelName="Tesla T4"} 36\n',
      ),
    ).toEqual([
      {
        name: 'DCGM_FI_DEV_GPU_TEMP',
        labels: { gpu: '0', UUID: 'GPU-x', device: 'nvidia0', modelName: 'Tesla T4' },
        value: 36,
        timestampMs: null,
      },
    ]);
  });

  it('accepts blanks and tabs between the label set, the value and the timestamp', () => {
    expect(crossChecked('foo{a="1"}   3 \t 1395066363000  \nbar\t\t7\n')).toEqual([
      { name: 'foo', labels: { a: '1' }, value: 3, timestampMs: 1395066363000 },
      { name: 'bar', labels: {}, value: 7, timestampMs: null },
    ]);
  });

  it.each([
    ['NaN', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['Inf', Infinity],
    ['1.5e3', 1500],
    ['-2E-2', -0.02],
    ['1e+06', 1e6],
    ['.5', 0.5],
    ['+7', 7],
    ['78.174000', 78.174],
    ['1.7560473e+07', 17560473],
  ])('reads the value %s', (raw, value) => {
    const samples = crossChecked(`foo{a="1"} ${raw}\n`);
    expect(samples).toHaveLength(1);
    expect(samples[0].value).toBe(value);
    expect(samples[0].unreadable).toBeUndefined();
  });

  it('reads timestamps, negative ones included', () => {
    expect(
      crossChecked(
        'http_requests_total{method="post",code="200"} 1027 1395066363000\nsomething_weird{problem="division by zero"} +Inf -3982045\n',
      ),
    ).toEqual([
      {
        name: 'http_requests_total',
        labels: { method: 'post', code: '200' },
        value: 1027,
        timestampMs: 1395066363000,
      },
      {
        name: 'something_weird',
        labels: { problem: 'division by zero' },
        value: Infinity,
        timestampMs: -3982045,
      },
    ]);
  });

  it('tells series apart by any label value', () => {
    expect(
      parsePrometheusText('foo{a="1"} 1\nfoo{a="2"} 2\nfoo 3\nfoo{a="1",b="1"} 4\n'),
    ).toHaveLength(4);
  });

  it('keeps a non-numeric value of a metric declared by TYPE as unreadable', () => {
    expect(parsePrometheusText('# TYPE foo gauge\nfoo{a="1"} ERROR - FAILED\n')).toEqual([
      {
        name: 'foo',
        labels: { a: '1' },
        value: NaN,
        timestampMs: null,
        unreadable: 'ERROR - FAILED',
      },
    ]);
  });

  it('accepts every metric type', () => {
    const text = ['counter', 'gauge', 'histogram', 'summary', 'untyped']
      .map((type, i) => `# TYPE m${i} ${type}\nm${i} ${i}\n`)
      .join('');
    expect(parsePrometheusText(text).map((s) => s.value)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('parsePrometheusText refuses malformed bodies', () => {
  it('a body without a final line feed (cut off), with line 0 and no line in the message', () => {
    const error = refusal('foo 1\nfoo{a="2"} 2');
    expect(error.line).toBe(0);
    expect(error.problem).toMatch(/does not end with a line feed/);
    expect(error.message).toBe(error.problem);
    // The real fixture, cut in the middle of a line.
    const text = fixture(L40S);
    expect(refusal(text.slice(0, 5000)).line).toBe(0);
    expect(refusal(text.slice(0, -1)).line).toBe(0);
  });

  it.each([
    ['garbage text', 'foo 1\nthis is not prometheus\n', 2, /invalid value is/],
    [
      'an HTML page',
      '<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n',
      1,
      /invalid metric name/,
    ],
    ['JSON', '{"status":"ok"}\n', 1, /invalid metric name/],
    ['an unterminated label set', 'foo{a="1"} 1\nfoo{a="2"\n', 2, /expected , or } after label a/],
    ['an unterminated label set after a comma', 'foo{a="1",\n', 1, /unterminated label set/],
    ['an unterminated label value', 'foo{a="1} 2\n', 1, /unterminated value of label a/],
    ['an unquoted label value', 'foo{a=1} 2\n', 1, /expected a quoted value for label a/],
    ['a label without =', 'foo{a} 2\n', 1, /expected = after label a/],
    ['an invalid label name', 'foo{1a="x"} 2\n', 1, /invalid label name/],
    ['two labels without a comma', 'foo{a="1" b="2"} 2\n', 1, /expected , or } after label a/],
    ['a bad escape', 'foo{a="C:\\DIR"} 1\n', 1, /invalid escape in label a/],
    ['an escape at the end of the line', 'foo{a="x\\\n', 1, /invalid escape in label a/],
    ['a duplicate label', 'foo{a="1",b="2",a="3"} 1\n', 1, /duplicate label a/],
    [
      'a duplicate series',
      'foo{a="1",b="2"} 1\nfoo{a="2",b="2"} 1\nfoo{a="1",b="2"} 2\n',
      3,
      /duplicate series foo\{a="1",b="2"\}/,
    ],
    [
      'a duplicate series, labels in another order',
      'foo{a="1",b="2"} 1\nfoo{b="2",a="1"} 2\n',
      2,
      /duplicate series/,
    ],
    ['a duplicate series without labels', 'foo 1\nfoo{} 2\n', 2, /duplicate series foo\{\}/],
    [
      'a duplicate unreadable series',
      '# TYPE foo gauge\nfoo{a="1"} ERROR\nfoo{a="1"} ERROR\n',
      3,
      /duplicate series/,
    ],
    ['a second TYPE', '# TYPE foo gauge\n# TYPE foo counter\nfoo 1\n', 2, /second TYPE for foo/],
    ['TYPE after samples', 'foo 1\n# TYPE foo gauge\n', 2, /TYPE for foo after its samples/],
    ['a second HELP', '# HELP foo one\n# HELP foo two\n', 2, /second HELP for foo/],
    ['an unknown type', '# TYPE foo gaugee\nfoo 1\n', 1, /unknown metric type gaugee/],
    ['a TYPE without a type', '# TYPE foo\n', 1, /unknown metric type/],
    ['a TYPE with two words', '# TYPE foo gauge counter\n', 1, /unknown metric type/],
    ['an invalid metric name', 'foo-bar 1\n', 1, /invalid metric name/],
    ['no metric name', '{a="1"} 1\n', 1, /invalid metric name/],
    ['no metric name after a sample', 'foo{a="1"} 1\n{a="2"} 2\n', 2, /invalid metric name/],
    [
      'a metric name after a shorter one',
      'foo{a="1"} 1\nfoo-bar{a="1"} 2\n',
      2,
      /invalid metric name/,
    ],
    ['a metric name starting with a digit', '1foo{a="1"} 1\n', 1, /invalid metric name/],
    ['an invalid metric name in TYPE', '# TYPE foo-bar gauge\n', 1, /invalid metric name foo-bar/],
    ['an invalid metric name in HELP', '# HELP 9foo help\n', 1, /invalid metric name 9foo/],
    ['no value', 'foo{a="1"}\n', 1, /no value for foo/],
    [
      'extra tokens after value and timestamp',
      'foo 1 1395066363000 extra\n',
      1,
      /unexpected text after the value of foo/,
    ],
    [
      'a non-numeric value without TYPE',
      'foo{a="1"} ERROR - FAILED TO CONVERT TO STRING\n',
      1,
      /invalid value ERROR/,
    ],
    [
      'a non-numeric value, TYPE of another metric',
      '# TYPE bar gauge\nfoo 12abc\n',
      2,
      /invalid value 12abc/,
    ],
    [
      'a non-numeric value before its TYPE',
      'foo ERROR\n# TYPE foo gauge\n',
      1,
      /invalid value ERROR/,
    ],
    ['a lower-case nan', 'foo nan\n', 1, /invalid value nan/],
    ['a decimal comma', 'foo 1,5\n', 1, /invalid value 1,5/],
    ['a fractional timestamp', 'foo 1 1395066363000.5\n', 1, /invalid timestamp/],
    ['a word as timestamp', 'foo 1 now\n', 1, /invalid timestamp now/],
    ['a 17-digit timestamp', 'foo 1 12345678901234567\n', 1, /invalid timestamp/],
  ])('%s', (_title, text, line, problem) => {
    const error = refusal(text);
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.message).toBe(`line ${line}: ${error.problem}`);
  });

  it('counts comment and blank lines, and names the first bad line', () => {
    const text = '# HELP foo x\n\n# a comment\n  \nfoo 1\nfoo 1\nfoo{ 2\n';
    expect(refusal(text).line).toBe(6);
  });

  it('refuses a real fixture with a line broken in the middle', () => {
    const lines = fixture(RTX).split('\n');
    const index = lines.findIndex((line) => line.startsWith('DCGM_FI_DEV_FB_USED{'));
    expect(index).toBe(41);
    lines[index] = lines[index].slice(0, 60);
    const error = refusal(lines.join('\n'));
    expect(error.line).toBe(42);
    expect(error.problem).toMatch(/unterminated value of label/);
  });

  it('refuses a real fixture concatenated with itself (every series twice)', () => {
    const text = fixture(L40S);
    expect(refusal(text + text).line).toBe(70);
  });
});

describe('parsePrometheusText: valid input easily misread', () => {
  // The format lets blanks separate any two tokens; Prometheus' own parser and
  // parse-prometheus-text-format read `name {labels} value`.
  it('a blank between the metric name and its label set, TYPEd metric', () => {
    const text = '# TYPE foo gauge\nfoo {a="1"} 1\n';
    expect(parsePrometheusText(text)).toEqual([
      { name: 'foo', labels: { a: '1' }, value: 1, timestampMs: null },
    ]);
    expect(laxSamples(text)).toEqual([
      { name: 'foo', labels: { a: '1' }, value: 1, timestampMs: null },
    ]);
  });

  it('a blank between the metric name and its label set, untyped metric', () => {
    expect(parsePrometheusText('foo {a="1"} 1\n')).toEqual([
      { name: 'foo', labels: { a: '1' }, value: 1, timestampMs: null },
    ]);
  });

  // `__proto__` is a valid label name, and must not collide with the series without labels.
  it('a label named __proto__ is kept', () => {
    const [sample] = parsePrometheusText('foo{__proto__="x"} 1\n');
    expect(Object.entries(sample.labels)).toEqual([['__proto__', 'x']]);
    expect(parsePrometheusText('foo{__proto__="x"} 1\nfoo 2\n')).toHaveLength(2);
  });
});

describe('parsePrometheusText: hostile input', () => {
  it('refuses a value of a million digits at once (no regex backtracking)', () => {
    const digits = '1'.repeat(1_000_000);
    expect(() => parsePrometheusText(`a ${digits}x\n`)).toThrow(MetricsFormatError);
    const [kept] = parsePrometheusText(`# TYPE a gauge\na ${digits}\n`);
    expect(kept.value).toBeNaN();
    expect(kept.unreadable).toBe(digits.slice(0, 80));
  });
});

describe('parsePrometheusText: plain lines are read on a shortcut, the rest by the full grammar', () => {
  const LABEL_NAME = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
  // Quotes, backslashes and line feeds (escaped in the text), blanks, braces, commas, unicode.
  const LABEL_VALUE = fc.string({
    unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '\n', '{', '}', ',', '=', 'é', '🚀'),
    maxLength: 12,
  });
  const LABELS = fc.uniqueArray(fc.tuple(LABEL_NAME, LABEL_VALUE), {
    selector: ([name]) => name,
    maxLength: 6,
  });
  const escape = (value: string) =>
    value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));

  it('a series reads the same however it is written, and as it was made', () => {
    fc.assert(
      fc.property(LABELS, fc.integer({ min: -1e6, max: 1e6 }), (labels, value) => {
        const pairs = labels.map(([name, v]) => `${name}="${escape(v)}"`);
        const plain = `foo{${pairs.join(',')}} ${value}\n`;
        // A trailing comma is allowed after a label, not in an empty set.
        const trailing = pairs.length ? ' , ' : ' ';
        const spaced = `  foo { ${pairs.join(' , ')}${trailing}}\t${value} \n`;
        const reordered = `foo{${[...pairs].reverse().join(',')}} ${value}\n`;
        const expected = [
          { name: 'foo', labels: Object.fromEntries(labels), value, timestampMs: null },
        ];
        expect(parsePrometheusText(plain)).toEqual(expected);
        expect(parsePrometheusText(spaced)).toEqual(expected);
        // Any two of the forms are one series written twice.
        expect(() => parsePrometheusText(plain + spaced)).toThrow(/duplicate series/);
        if (labels.length > 1) {
          expect(() => parsePrometheusText(spaced + reordered)).toThrow(/duplicate series/);
        }
      }),
    );
  });

  it('two series that differ in any label are both kept', () => {
    fc.assert(
      fc.property(LABELS, LABEL_VALUE, (labels, other) => {
        fc.pre(labels.length > 0 && labels[0][1] !== other);
        const changed: [string, string][] = [[labels[0][0], other], ...labels.slice(1)];
        const line = (set: [string, string][]) =>
          `foo{${set.map(([name, v]) => `${name}="${escape(v)}"`).join(',')}} 1\n`;
        expect(parsePrometheusText(line(labels) + line(changed))).toHaveLength(2);
      }),
    );
  });

  it('label sets repeated on many lines, in any order and either way round, read as each line alone', () => {
    // Few label names and short values, mostly plain: sets often differ only late in their text.
    const VALUE = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.string({ unit: fc.constantFrom('a', '1', ' ', 'é'), maxLength: 4 }),
      },
      { weight: 1, arbitrary: LABEL_VALUE },
    );
    const SET = fc.uniqueArray(
      fc.tuple(fc.constantFrom('gpu', 'UUID', 'Hostname', 'modelName'), VALUE),
      { selector: ([name]) => name, maxLength: 4 },
    );
    const SETS = fc.uniqueArray(SET, {
      selector: (labels) => JSON.stringify([...labels].sort()),
      minLength: 1,
      maxLength: 5,
    });
    const LINES = fc.array(fc.tuple(fc.nat(2), fc.nat(4), fc.boolean(), fc.integer()), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(SETS, LINES, fc.nat(), (sets, picks, repeat) => {
        const written = new Set<string>();
        const lines: string[] = [];
        for (const [metric, pick, reversed, value] of picks) {
          const set = sets[pick % sets.length];
          const series = `${metric}/${pick % sets.length}`;
          if (written.has(series)) continue;
          written.add(series);
          const pairs = set.map(([name, v]) => `${name}="${escape(v)}"`);
          lines.push(`m${metric}{${(reversed ? pairs.reverse() : pairs).join(',')}} ${value}\n`);
        }
        const expected = lines.flatMap((line) => parsePrometheusText(line));
        expect(parsePrometheusText(lines.join(''))).toEqual(expected);
        if (lines.length) {
          const again = lines[repeat % lines.length].replace(/ -?\d+\n$/, ' 7\n');
          expect(() => parsePrometheusText(lines.join('') + again)).toThrow(/duplicate series/);
        }
      }),
    );
  });

  it('a label set that differs from a known one in a single char is read as itself', () => {
    const text = 'a{gpu="1",h="x"} 1\na{gpu="2",h="x"} 2\nb{gpu="2",h="x"} 3\nb{gpu="1",h="x"} 4\n';
    expect(parsePrometheusText(text).map((s) => [s.name, s.labels.gpu, s.value])).toEqual([
      ['a', '1', 1],
      ['a', '2', 2],
      ['b', '2', 3],
      ['b', '1', 4],
    ]);
  });

  it('two series of one fingerprint are told apart by their labels', () => {
    // These two hash alike (found by search); the parser compares them in full.
    const text = 'foo{a="gpu-27009"} 1\nfoo{a="gpu-789952"} 2\nfoo{a="gpu-27009"} 3\n';
    const firstTwo = parsePrometheusText(text.split('\n').slice(0, 2).join('\n') + '\n');
    expect(firstTwo.map((sample) => sample.labels.a)).toEqual(['gpu-27009', 'gpu-789952']);
    expect(refusal(text).line).toBe(3);
    expect(refusal(text).problem).toBe('duplicate series foo{a="gpu-27009"}');
  });

  it('with a set of metrics to keep, returns only theirs, and still checks every line', () => {
    const text = fixture(L40S);
    const keep = new Set(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED']);
    const all = parsePrometheusText(text);
    expect(parsePrometheusText(text, keep)).toEqual(all.filter((s) => keep.has(s.name)));
    expect(parsePrometheusText(text, keep)).toHaveLength(2);
    const clock = text.split('\n').find((line) => line.startsWith('DCGM_FI_DEV_SM_CLOCK{'))!;
    expect(refusal(`${text}${clock}\n`, keep).problem).toMatch(
      /^duplicate series DCGM_FI_DEV_SM_CLOCK/,
    );
    expect(refusal(`${text}DCGM_FI_DEV_SM_CLOCK{gpu="0" 1\n`, keep).problem).toMatch(
      /expected , or }/,
    );
    expect(refusal(`${text}foo 12abc\n`, keep).problem).toMatch(/invalid value 12abc/);
  });
});
