import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DomainError } from '@gpu/common';
import { toErrorResponse } from './error-response.filter';

describe('toErrorResponse', () => {
  it('maps each domain error kind to its status and keeps code and details', () => {
    const cases: [DomainError['kind'], number][] = [
      ['invalid', 400],
      ['unauthorized', 401],
      ['forbidden', 403],
      ['not_found', 404],
      ['conflict', 409],
      ['unprocessable', 422],
      ['unavailable', 503],
    ];
    for (const [kind, status] of cases) {
      const { status: actual, body } = toErrorResponse(
        new DomainError('FARM_X', kind, 'words', { id: 7 }),
      );
      expect(actual).toBe(status);
      expect(body).toEqual({ code: 'FARM_X', message: 'words', details: { id: 7 } });
    }
  });

  it('gives HTTP exceptions a stable code by status', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x')).body).toEqual({
      code: 'NOT_FOUND',
      message: 'Cannot GET /x',
    });
    expect(toErrorResponse(new HttpException('slow down', 429))).toEqual({
      status: 429,
      body: { code: 'RATE_LIMITED', message: 'slow down' },
    });
  });

  it("recognises Fastify's malformed JSON refusals", () => {
    const malformed = new BadRequestException(
      "Body is not valid JSON but content-type is set to 'application/json'",
    );
    expect(toErrorResponse(malformed).body.code).toBe('MALFORMED_JSON');
    expect(toErrorResponse(new BadRequestException('other')).body.code).toBe('BAD_REQUEST');
  });

  it('never leaks an unexpected error', () => {
    const { status, body } = toErrorResponse(new Error('password=hunter2 at db'));
    expect(status).toBe(500);
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });
  });
});
