import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { CODE_OF_STATUS, type ErrorBody } from './error-response.filter';

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it is safe to echo and log, else a fresh UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/**
 * A request Node's HTTP parser refused before any route saw it (headers or URL too large, a
 * malformed request line, a client too slow to send its headers) gets our error body too.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const body: ErrorBody = {
    code: status === 400 ? 'MALFORMED_REQUEST' : CODE_OF_STATUS[status],
    message: STATUS_CODES[status] ?? 'Client error',
  };
  const text = JSON.stringify(body);
  // A response already under way on this connection must not have ours written into it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}

/** How often Node looks for requests that have taken too long to arrive. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** Headers come first and are small: a client sending them slowly is not waited for long. */
const HEADERS_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * Fastify with a body limit and request ids (sent back on every response). A request must arrive
 * whole within `requestTimeoutMs` (its headers within 10 s), or it is answered 408 and its
 * connection closed: a client trickling bytes cannot hold a connection open.
 */
export function createFastifyAdapter(requestTimeoutMs: number, trustProxy: string): FastifyAdapter {
  const adapter = new FastifyAdapter({
    trustProxy: trustedProxies(trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    clientErrorHandler: answerClientError,
    serverFactory: (handler: RequestListener) =>
      createServer(
        {
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.min(requestTimeoutMs, HEADERS_TIMEOUT_MS),
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
          // Fastify's own default (it sets none on a server it did not make): longer than the
          // idle timeouts of common load balancers, so they never reuse a connection we close.
          keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        },
        handler,
      ),
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  return adapter;
}

/** TRUST_PROXY as Fastify takes it: none, a number of hops, or addresses and CIDRs. */
export function trustedProxies(setting: string): boolean | number | string[] {
  if (setting === '') return false;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting.split(',');
}
