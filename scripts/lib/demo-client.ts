import { SiweMessage } from 'siwe';
import { waitFor } from './wait-for';

export type Body = Record<string, unknown>;

/** The HTTP API as the demo and the benchmarks call it: `expect` stops on any other status. */
export class DemoClient {
  constructor(
    private readonly baseUrl: string,
    private readonly accessToken?: string,
  ) {}

  /** The same API, as the holder of `accessToken`. */
  as(accessToken: string): DemoClient {
    return new DemoClient(this.baseUrl, accessToken);
  }

  async raw(
    method: string,
    route: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Body }> {
    const response = await fetch(this.baseUrl + route, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {}),
        ...headers,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
  }

  get(
    route: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Body }> {
    return this.raw('GET', route, undefined, headers);
  }

  post(route: string, raw: string): Promise<{ status: number; body: Body }> {
    return this.raw('POST', route, raw);
  }

  /** The body of a call that must answer `status`; anything else stops the demo. */
  async expect(status: number, method: string, route: string, body?: unknown): Promise<Body> {
    const response = await this.raw(
      method,
      route,
      body === undefined ? undefined : JSON.stringify(body),
    );
    if (response.status !== status)
      throw new Error(
        `${method} ${route} answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    return response.body;
  }

  async signIn(email: string, password: string): Promise<string> {
    const session = await this.expect(200, 'POST', '/auth/sign-in', { email, password });
    return session.accessToken as string;
  }

  async text(route: string): Promise<string> {
    const response = await fetch(this.baseUrl + route, {
      headers: this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    return response.text();
  }

  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    await this.waitFor('/health', (body) => body.status === 'ok', timeoutMs);
  }

  async waitFor(route: string, done: (body: Body) => boolean, timeoutMs = 30_000): Promise<Body> {
    return waitFor(
      async () => {
        const { body } = await this.get(route);
        return done(body) ? body : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `GET ${route} to reach the expected state` },
    );
  }
}

/** The EIP-4361 message a wallet app prepares from the API's challenge. */
export function siweMessage(challenge: Record<string, unknown>, address: string): string {
  return new SiweMessage({
    domain: challenge.domain as string,
    address,
    statement: challenge.statement as string,
    uri: challenge.uri as string,
    version: '1',
    chainId: challenge.chainId as number,
    nonce: challenge.nonce as string,
    issuedAt: challenge.issuedAt as string,
    expirationTime: challenge.expirationTime as string,
  }).prepareMessage();
}
