import { SiweMessage } from 'siwe';

/**
 * A small JSON client of the API for the benches' set-up. Copied in its minimal form from the
 * DemoClient and siweMessage() of scripts/demo.ts, which that script does not export.
 */
export type Body = Record<string, unknown>;

export interface ApiResponse {
  status: number;
  body: Body;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly accessToken?: string,
  ) {}

  /** The same API, as the holder of `accessToken`. */
  as(accessToken: string): ApiClient {
    return new ApiClient(this.baseUrl, accessToken);
  }

  async raw(
    method: string,
    route: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
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

  /** The body of a call that must answer `status`; anything else throws. */
  async expect(
    status: number,
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Body> {
    const response = await this.raw(
      method,
      route,
      body === undefined ? undefined : JSON.stringify(body),
      headers,
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
}

/** The EIP-4361 message a wallet app prepares from the API's challenge. */
export function siweMessage(challenge: Body, address: string): string {
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

/** Runs `work` on every item, at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
