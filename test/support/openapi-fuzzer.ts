import { mulberry32 } from '../../libs/distribution/src/testing/seeded-random';

/**
 * Requests generated from the API's own OpenAPI document: for every operation, path ids, query
 * parameters, headers and JSON bodies that are valid (from the schema's examples and bounds), at
 * the boundaries, or hostile (wrong types, huge numbers, deep JSON, long strings, unicode,
 * missing and extra fields, malformed JSON, other users' ids). Seeded: a run can be replayed.
 */

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export type Flavour = 'valid' | 'boundary' | 'hostile';

export interface FuzzRequest {
  /** `METHOD /template/{id}` of the operation. */
  route: string;
  method: string;
  /** Path and query, encoded. */
  url: string;
  headers: Record<string, string>;
  /** The raw body, when there is one. */
  body?: string;
  flavour: Flavour;
}

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 2 ** 32;
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '9'.repeat(400),
  '../../../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%00%2e%2e%2f',
  '\u202eevil\u202c',
  '🚀🔥💸'.repeat(50),
  'Ω≈ç√∫˜µ≤≥÷',
  '\ud800',
  'ǅ'.repeat(1000),
  'x'.repeat(100_000),
];

const HOSTILE_NUMBERS = [
  -1,
  0,
  0.5,
  -0,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  2 ** 31,
  2 ** 63,
];

/** A JSON text nested `depth` deep: `{"a":{"a":...}}`. */
export function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export class RequestGenerator {
  private readonly operations: { method: string; path: string; op: Operation }[] = [];

  constructor(
    private readonly document: OpenApiDocument,
    private readonly random: () => number,
    /** Ids to put in paths and bodies: existing ones of any owner, so other users' too. */
    private readonly ids: () => readonly string[],
    /** Routes not to call (`METHOD /template`). */
    skip: ReadonlySet<string> = new Set(),
  ) {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!skip.has(`${method.toUpperCase()} ${path}`)) {
          this.operations.push({ method: method.toUpperCase(), path, op });
        }
      }
    }
  }

  get routes(): string[] {
    return this.operations.map(({ method, path }) => `${method} ${path}`);
  }

  /** The `index`th request: operations in turn, so every one is called as often. */
  next(index: number): FuzzRequest {
    const { method, path, op } = this.operations[index % this.operations.length];
    const roll = this.random();
    const flavour: Flavour = roll < 0.4 ? 'valid' : roll < 0.65 ? 'boundary' : 'hostile';
    const parameters = op.parameters ?? [];
    const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
      return encodeURIComponent(this.pathValue(parameter?.schema, flavour));
    });
    const query = new URLSearchParams();
    for (const parameter of parameters.filter((p) => p.in === 'query')) {
      if (!parameter.required && this.random() < 0.5) continue;
      const value = this.value(parameter.schema, flavour, 0);
      if (value !== undefined) query.append(parameter.name, scalarText(value));
      if (flavour === 'hostile' && this.random() < 0.2) query.append(parameter.name, '1');
    }
    if (flavour === 'hostile' && this.random() < 0.2) query.append('__proto__[x]', '1');
    const headers: Record<string, string> = {};
    for (const parameter of parameters.filter((p) => p.in === 'header')) {
      if (flavour === 'hostile' && this.random() < 0.3) continue;
      headers[parameter.name] =
        flavour === 'valid'
          ? `fuzz-${Math.floor(this.random() * 1e12)}`
          : this.pick([
              '',
              'x'.repeat(300),
              // Header values are bytes: UTF-8 text arrives as Latin-1 characters.
              Buffer.from('ключ-🚀').toString('latin1'),
              `fuzz-${Math.floor(this.random() * 10)}`,
            ]);
    }
    const schema = op.requestBody?.content?.['application/json']?.schema;
    let body: string | undefined;
    if (schema || (method !== 'GET' && flavour === 'hostile' && this.random() < 0.3)) {
      body = this.body(schema, flavour);
      headers['content-type'] =
        flavour === 'hostile' && this.random() < 0.1 ? 'text/plain' : 'application/json';
    }
    const search = query.toString();
    return {
      route: `${method} ${path}`,
      method,
      url: search ? `${url}?${search}` : url,
      headers,
      body,
      flavour,
    };
  }

  private body(schema: Schema | undefined, flavour: Flavour): string {
    if (flavour === 'hostile') {
      const roll = this.random();
      if (roll < 0.08) return deepJson(1 + Math.floor(this.random() * 20_000));
      if (roll < 0.14) return this.pick(['{', '{"a":', '[1,2', 'null', '"text"', '1', 'tru']);
      if (roll < 0.2) return JSON.stringify(this.pick([[], [{}], 42, 'x', true, null]));
      if (roll < 0.26)
        return '{"__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"x":1}}}';
    }
    const value = this.value(schema, flavour, 0) ?? {};
    if (flavour !== 'valid' && isRecord(value) && this.random() < 0.4) {
      value[this.pick(['role', 'status', 'ownerId', 'operatorId', 'kycStatus', 'id', 'extra'])] =
        this.pick(['admin', 'approved', this.id(), 1]);
    }
    return JSON.stringify(value);
  }

  private pathValue(schema: Schema | undefined, flavour: Flavour): string {
    if (schema?.enum) return scalarText(this.pick(schema.enum));
    if (flavour === 'valid' || this.random() < 0.5) return this.id();
    return this.pick([
      '0',
      '1',
      '-1',
      '00000000-0000-0000-0000-000000000000',
      this.uuid(),
      '%',
      '..',
      'x'.repeat(2000),
      '1e400',
      '🚀',
      "' OR 1=1",
    ]);
  }

  /** A well-formed UUID nobody holds, from the seeded sequence. */
  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16));
    return [8, 4, 4, 4, 12]
      .map((length, i) => hex.slice([0, 8, 12, 16, 20][i], [0, 8, 12, 16, 20][i] + length).join(''))
      .join('-');
  }

  private id(): string {
    const ids = this.ids();
    return ids.length ? this.pick(ids) : this.uuid();
  }

  /** A value for `schema`; undefined leaves an optional field out. */
  private value(schema: Schema | undefined, flavour: Flavour, depth: number): unknown {
    const resolved = this.resolve(schema);
    if (!resolved) return flavour === 'hostile' ? this.hostileScalar() : undefined;
    if (flavour === 'hostile' && this.random() < 0.25) return this.hostileScalar();
    if (resolved.enum) {
      return flavour === 'valid' || this.random() < 0.5 ? this.pick(resolved.enum) : 'NOT_A_VALUE';
    }
    switch (resolved.type) {
      case 'object':
        return this.object(resolved, flavour, depth);
      case 'array': {
        const length =
          flavour === 'boundary' && this.random() < 0.3
            ? this.pick([0, 1001])
            : Math.floor(this.random() * 3);
        if (depth > 4) return [];
        return Array.from({ length }, () => this.value(resolved.items, flavour, depth + 1));
      }
      case 'number':
      case 'integer':
        return this.number(resolved, flavour);
      case 'boolean':
        return flavour === 'valid' ? this.random() < 0.5 : this.pick([true, 'true', 1, null]);
      default:
        return this.string(resolved, flavour);
    }
  }

  private object(schema: Schema, flavour: Flavour, depth: number): Record<string, unknown> {
    const made: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const leaveOut = required.has(name)
        ? flavour !== 'valid' && this.random() < 0.1
        : this.random() < 0.4;
      if (leaveOut) continue;
      const value = this.value(property, flavour, depth + 1);
      if (value !== undefined) made[name] = value;
    }
    return made;
  }

  private number(schema: Schema, flavour: Flavour): unknown {
    if (flavour === 'valid') {
      if (typeof schema.example === 'number') return schema.example;
      if (typeof schema.default === 'number') return schema.default;
      const low = schema.minimum ?? 0;
      const high = Math.min(schema.maximum ?? 100, low + 100);
      return low + Math.floor(this.random() * (high - low + 1));
    }
    const bounds = [schema.minimum, schema.maximum]
      .filter((bound): bound is number => bound !== undefined)
      .flatMap((bound) => [bound - 1, bound, bound + 1]);
    const value = this.pick([...bounds, ...HOSTILE_NUMBERS]);
    return flavour === 'hostile' && this.random() < 0.3 ? String(value) : value;
  }

  private string(schema: Schema, flavour: Flavour): unknown {
    if (flavour === 'valid') {
      if (schema.example !== undefined) return schema.example;
      if (schema.default !== undefined) return schema.default;
      return this.random() < 0.5 ? this.id() : `fuzz ${Math.floor(this.random() * 1e6)}`;
    }
    if (flavour === 'boundary') {
      return this.pick([
        '',
        '0',
        '-1',
        '1',
        '9007199254740991',
        '9007199254740993',
        '115792089237316195423570985008687907853269984665640564039457584007913129639936',
        '1.5',
        'x'.repeat((schema.maxLength ?? 255) + 1),
        this.id(),
        new Date(0).toISOString(),
        '9999-12-31T23:59:59.999Z',
        `0x${'0'.repeat(40)}`,
        `0x${'f'.repeat(64)}`,
      ]);
    }
    return this.hostileScalar();
  }

  private hostileScalar(): unknown {
    const roll = this.random();
    if (roll < 0.5) return this.pick(HOSTILE_STRINGS);
    if (roll < 0.75) return this.pick(HOSTILE_NUMBERS);
    return this.pick([null, true, [], {}, [[[]]], { $gt: '' }, [1, 'a', null]]);
  }

  private resolve(schema: Schema | undefined): Schema | undefined {
    if (!schema?.$ref) return schema;
    return this.document.components?.schemas?.[schema.$ref.split('/').pop()!];
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
