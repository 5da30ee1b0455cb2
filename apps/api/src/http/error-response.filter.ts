import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError, HTTP_STATUS_OF_KIND } from '@gpu/common';

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Fastify's body-parser refusals reach us as plain HttpExceptions (Nest drops Fastify's error
 * code), so the two JSON ones are recognised by their fixed messages.
 */
const MALFORMED_JSON_MESSAGES = [
  /^Body is not valid JSON/,
  /^Body cannot be empty when content-type/,
];

/** Turns anything thrown into `{ code, message, details? }` with the right status. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof DomainError) {
    const body: ErrorBody = { code: exception.code, message: exception.message };
    if (exception.details) body.details = exception.details;
    return { status: HTTP_STATUS_OF_KIND[exception.kind], body };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' &&
      response &&
      'message' in response &&
      typeof response.message === 'string'
        ? response.message
        : exception.message;
    const malformed =
      status === 400 && MALFORMED_JSON_MESSAGES.some((pattern) => pattern.test(message));
    const code = malformed ? 'MALFORMED_JSON' : (CODE_OF_STATUS[status] ?? `HTTP_${status}`);
    return { status, body: { code, message } };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' },
  };
}

@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorResponse');

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = toErrorResponse(exception);
    if (status >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
