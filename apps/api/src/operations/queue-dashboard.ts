import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@gpu/config';
import { Authenticator, IdentityError } from '@gpu/identity';
import { JobQueue, QueueName } from '@gpu/queue';
import { toErrorResponse } from '../http/error-response.filter';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
export const QUEUE_DASHBOARD_COOKIE = 'gpu_queue_dashboard';

/**
 * The queue dashboard (bull-board) at /admin/queues, read-only, for admins only, every page of it.
 * A browser cannot add an Authorization header to the dashboard's own requests: an admin opens a
 * session with `POST /admin/queues/session` (Authorization header), which puts the same access
 * token in an HttpOnly, SameSite=Strict cookie valid on the dashboard's path until it expires.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const jobs = app.get(JobQueue);
  const authenticator = app.get(Authenticator);
  const production = app.get(AppConfig).NODE_ENV === 'production';
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    // To look, not to change: a job added, edited or removed here would bypass the audit log.
    queues: Object.values(QueueName).map(
      (name) => new BullMQAdapter(jobs.queue(name), { readOnlyMode: true }),
    ),
    serverAdapter: board,
  });

  const admitAdmin = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      const principal = await authenticator.authenticate({
        authorization: request.headers.authorization ?? cookieToken(request),
      });
      if (!principal) throw IdentityError.authenticationRequired();
      if (principal.role !== 'admin' || principal.via !== 'access-token') {
        throw IdentityError.roleForbidden(principal.role);
      }
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      await reply.code(status).send(body);
    }
  };

  await app.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', admitAdmin);
      scope.post('/session', async (request, reply) => {
        // Opened with the Authorization header only: a cookie cannot renew itself.
        if (!request.headers.authorization) {
          const { status, body } = toErrorResponse(IdentityError.authenticationRequired());
          return reply.code(status).send(body);
        }
        const token = request.headers.authorization.replace(/^Bearer /i, '');
        const [, payload = ''] = token.split('.');
        const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
          exp: number;
        };
        const maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
        const attributes = [
          `Path=${QUEUE_DASHBOARD_PATH}`,
          `Max-Age=${maxAge}`,
          'HttpOnly',
          'SameSite=Strict',
          ...(production ? ['Secure'] : []),
        ];
        void reply.header(
          'set-cookie',
          `${QUEUE_DASHBOARD_COOKIE}=${token}; ${attributes.join('; ')}`,
        );
        return { path: QUEUE_DASHBOARD_PATH, expiresInSeconds: maxAge };
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}

/** The access token the session cookie carries, as an Authorization header. */
function cookieToken(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === QUEUE_DASHBOARD_COOKIE && value.length) return `Bearer ${value.join('=')}`;
  }
  return undefined;
}
