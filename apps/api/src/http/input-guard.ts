import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-response.filter';

/** Deeper than any request of the API: more only costs the validators stack and time. */
export const MAX_JSON_DEPTH = 32;

export type UnsafeInput = 'characters' | 'too-deep';

/** NUL (Postgres text refuses it) or a UTF-16 surrogate without its pair (not Unicode text). */
function invalidText(text: string): boolean {
  return text.includes('\u0000') || !(text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * What makes `value` unsafe to hand on, if anything: a string or key that is not valid text (a
 * NUL character, an unpaired surrogate: validators throw on them), or objects and arrays nested
 * deeper than MAX_JSON_DEPTH. Walked without recursion, so no nesting can exhaust the stack here,
 * and arrays by index, so a megabyte of array costs milliseconds.
 */
export function unsafeInput(value: unknown): UnsafeInput | null {
  if (typeof value === 'string') return invalidText(value) ? 'characters' : null;
  // Two stacks side by side: no pair allocated per object.
  const pending: object[] = [];
  const depths: number[] = [];
  const visit = (item: unknown, depth: number): UnsafeInput | null => {
    if (typeof item === 'string') return invalidText(item) ? 'characters' : null;
    if (item === null || typeof item !== 'object') return null;
    if (depth >= MAX_JSON_DEPTH) return 'too-deep';
    if (Array.isArray(item) && item.length === 0) return null;
    pending.push(item);
    depths.push(depth);
    return null;
  };
  const first = visit(value, 0);
  if (first) return first;
  while (pending.length) {
    const item = pending.pop()!;
    const depth = depths.pop()!;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const unsafe = visit(item[i], depth + 1);
        if (unsafe) return unsafe;
      }
      continue;
    }
    for (const key in item) {
      if (!Object.hasOwn(item, key)) continue;
      if (invalidText(key)) return 'characters';
      const unsafe = visit((item as Record<string, unknown>)[key], depth + 1);
      if (unsafe) return unsafe;
    }
  }
  return null;
}

const REFUSALS: Record<UnsafeInput, ErrorBody> = {
  characters: {
    code: 'INVALID_CHARACTERS',
    message: 'Text must be valid Unicode without NUL characters',
  },
  'too-deep': {
    code: 'BODY_TOO_DEEP',
    message: `JSON may not nest more than ${MAX_JSON_DEPTH} levels deep`,
  },
};

/** Refuses unsafe input in a body, query or path with a 400 before any pipe or handler sees it. */
export function refuseUnsafeInput(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    const unsafe =
      unsafeInput(request.body) ?? unsafeInput(request.query) ?? unsafeInput(request.params);
    if (unsafe) {
      void reply
        .status(400)
        .header('content-type', 'application/json; charset=utf-8')
        .send(REFUSALS[unsafe]);
      return;
    }
    done();
  });
}
