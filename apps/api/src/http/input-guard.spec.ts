import { MAX_JSON_DEPTH, unsafeInput } from './input-guard';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('unsafeInput', () => {
  it('passes ordinary input, however wide', () => {
    expect(unsafeInput({ name: 'farm', nodes: [{ gpu: 'H100', tags: ['a', 'b'] }] })).toBeNull();
    expect(unsafeInput(Array.from({ length: 100_000 }, (_, i) => ({ i })))).toBeNull();
    expect(unsafeInput(undefined)).toBeNull();
    expect(unsafeInput('text')).toBeNull();
  });

  it('finds a NUL character or an unpaired surrogate in any string or key, at any depth', () => {
    expect(unsafeInput('a\u0000b')).toBe('characters');
    expect(unsafeInput({ a: [{ b: ['x', 'y\u0000'] }] })).toBe('characters');
    expect(unsafeInput({ 'key\u0000': 1 })).toBe('characters');
    expect(unsafeInput({ email: '\ud800' })).toBe('characters');
    expect(unsafeInput(['a\udc00b'])).toBe('characters');
    expect(unsafeInput({ ['\udbff']: 1 })).toBe('characters');
    expect(unsafeInput(['\udc00\ud800'])).toBe('characters');
    // Paired, they are a character like any other.
    expect(unsafeInput({ name: 'farm 🚀 Ωmega', '🔥': ['\ud83d\ude80'] })).toBeNull();
  });

  it('allows nesting up to MAX_JSON_DEPTH and refuses one level more', () => {
    expect(unsafeInput(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(unsafeInput(nested(MAX_JSON_DEPTH + 1))).toBe('too-deep');
    expect(unsafeInput({ a: { b: nested(MAX_JSON_DEPTH) } })).toBe('too-deep');
  });

  it('walks a body nested 100,000 deep without exhausting the stack', () => {
    expect(unsafeInput(nested(100_000))).toBe('too-deep');
  });
});
