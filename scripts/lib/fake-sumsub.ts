import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in knows of an applicant. */
export interface FakeApplicant {
  externalUserId: string;
  /** ISO 3166-1 alpha-3, as Sumsub reports it; undefined: none recognised. */
  country?: string;
}

export interface FakeSumsub {
  url: string;
  appToken: string;
  secretKey: string;
  applicants: Map<string, FakeApplicant>;
  /** Requests refused for a bad token or signature. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A local stand-in for Sumsub's applicant API (`GET /resources/applicants/{id}/one`) for the
 * demo and the tests: it checks the app token and the request signature exactly as Sumsub does
 * and answers with the applicant's id, externalUserId and recognised country.
 */
export async function startFakeSumsub(
  appToken = 'fake-sumsub-app-token',
  secretKey = 'fake-sumsub-secret-key-0123456789',
): Promise<FakeSumsub> {
  const applicants = new Map<string, FakeApplicant>();
  const state = { refused: 0 };
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const ts = String(request.headers['x-app-access-ts'] ?? '');
    const expected = createHmac('sha256', secretKey)
      .update(`${ts}${request.method}${request.url}`)
      .digest();
    const given = Buffer.from(String(request.headers['x-app-access-sig'] ?? ''), 'hex');
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    if (
      request.headers['x-app-token'] !== appToken ||
      !fresh ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      state.refused += 1;
      reply(401, { description: 'Request signature mismatch', code: 401 });
      return;
    }
    const match = /^\/resources\/applicants\/([^/]+)\/one$/.exec(request.url ?? '');
    const applicant = match && applicants.get(decodeURIComponent(match[1]));
    if (request.method !== 'GET' || !match || !applicant) {
      reply(404, { description: 'Applicant not found', code: 404 });
      return;
    }
    reply(200, {
      id: decodeURIComponent(match[1]),
      createdAt: '2026-01-01 00:00:00',
      externalUserId: applicant.externalUserId,
      info: applicant.country ? { country: applicant.country } : {},
      review: { reviewStatus: 'completed' },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    appToken,
    secretKey,
    applicants,
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
