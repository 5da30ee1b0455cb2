import { randomBytes } from 'node:crypto';

export type Body = Record<string, unknown>;

export interface Answer {
  status: number;
  body: Body;
}

/** What the soak saw of the API: answers by class, and the 5xx it got (never expected). */
export class ApiTally {
  requests = 0;
  retries = 0;
  serverErrors = 0;
  readonly serverErrorSamples: string[] = [];

  recordServerError(what: string): void {
    this.serverErrors += 1;
    if (this.serverErrorSamples.length < 5) this.serverErrorSamples.push(what);
  }
}

export class UnexpectedAnswer extends Error {
  constructor(
    readonly route: string,
    readonly answer: Answer,
  ) {
    super(`${route} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
}

const RETRY_DELAY_MS = 500;
const ATTEMPTS = 40;

/**
 * The API as a careful client calls it while things fail around it: a request that cannot be
 * answered (network error, 5xx, 429) is sent again, unchanged, with the same Idempotency-Key; a
 * request that must not run twice carries one. Sessions are renewed before they expire.
 */
export class SoakClient {
  private accessToken?: string;
  private signedInAt = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly tally: ApiTally,
    private readonly credentials?: { email: string; password: string },
  ) {}

  /** A client for the holder of these credentials (signs in on first use). */
  forUser(email: string, password: string): SoakClient {
    return new SoakClient(this.baseUrl, this.tally, { email, password });
  }

  async send(
    method: string,
    route: string,
    body?: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let lastProblem = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (this.credentials) headers.authorization = `Bearer ${await this.session()}`;
      this.tally.requests += 1;
      try {
        const response = await fetch(this.baseUrl + route, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        const answer = { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
        if (response.status >= 500) {
          this.tally.recordServerError(
            `${method} ${route}: ${response.status} ${text.slice(0, 200)}`,
          );
          lastProblem = `${response.status}`;
        } else if (response.status === 429) {
          lastProblem = '429';
        } else {
          return answer;
        }
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      this.tally.retries += 1;
      await sleep(RETRY_DELAY_MS);
    }
    throw new Error(`${method} ${route}: no answer after ${ATTEMPTS} attempts (${lastProblem})`);
  }

  /** The body of an answer with `status`; any other answer throws. */
  async expect(
    status: number,
    method: string,
    route: string,
    body?: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<Body> {
    const answer = await this.send(method, route, body, options);
    if (answer.status !== status) throw new UnexpectedAnswer(`${method} ${route}`, answer);
    return answer.body;
  }

  get(route: string): Promise<Body> {
    return this.expect(200, 'GET', route);
  }

  private async session(): Promise<string> {
    // Access tokens live 15 minutes; renew well before.
    if (this.accessToken && Date.now() - this.signedInAt < 10 * 60_000) return this.accessToken;
    const anonymous = new SoakClient(this.baseUrl, this.tally);
    const session = await anonymous.expect(200, 'POST', '/auth/sign-in', this.credentials);
    this.accessToken = session.accessToken as string;
    this.signedInAt = Date.now();
    return this.accessToken;
  }

  /** Uses a session already obtained (register answers with one). */
  adopt(accessToken: string): void {
    this.accessToken = accessToken;
    this.signedInAt = Date.now();
  }
}

export function idempotencyKey(what: string): string {
  return `soak-${what}-${randomBytes(8).toString('hex')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
