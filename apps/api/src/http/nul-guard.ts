import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-response.filter';

const MAX_DEPTH = 64;

/** Whether any string in `value` (keys included) holds a NUL character, which Postgres text refuses. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(item, depth + 1)) return true;
  }
  return false;
}

/** Refuses NUL characters in a body, query or path with a 400 before any handler can try to store them. */
export function refuseNulCharacters(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    if (containsNul(request.body) || containsNul(request.query) || containsNul(request.params)) {
      const body: ErrorBody = {
        code: 'INVALID_CHARACTERS',
        message: 'Text may not contain NUL characters',
      };
      void reply.status(400).header('content-type', 'application/json; charset=utf-8').send(body);
      return;
    }
    done();
  });
}
