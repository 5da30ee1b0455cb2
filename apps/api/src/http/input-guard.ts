import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-response.filter';

/** Deeper than any request of the API: more only costs the validators stack and time. */
export const MAX_JSON_DEPTH = 32;

export type UnsafeInput = 'characters' | 'too-deep';

/** NUL (Postgres text refuses it) and UTF-16 surrogates without their pair (not Unicode text). */
const INVALID_TEXT =
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters it looks for
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What makes `value` unsafe to hand on, if anything: a string or key that is not valid text (a
 * NUL character, an unpaired surrogate: validators throw on them), or objects and arrays nested
 * deeper than MAX_JSON_DEPTH. Walked without recursion, so no nesting can exhaust the stack here.
 */
export function unsafeInput(value: unknown): UnsafeInput | null {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      if (INVALID_TEXT.test(item)) return 'characters';
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return 'too-deep';
    for (const [key, child] of Object.entries(item)) {
      if (INVALID_TEXT.test(key)) return 'characters';
      pending.push([child, depth + 1]);
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
