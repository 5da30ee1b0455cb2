import { randomBytes } from 'node:crypto';
import { type HDNodeWallet, Wallet } from 'ethers';
import { SiweMessage } from 'siwe';
import { type StaffRole, UsersService } from '@gpu/identity';
import type { RunningApi } from './apps';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A caller of the HTTP API: anonymous, or with an access token or an API key. */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly credentials: { accessToken?: string; apiKey?: string } = {},
  ) {}

  withToken(accessToken: string): ApiClient {
    return new ApiClient(this.url, { accessToken });
  }

  withApiKey(apiKey: string): ApiClient {
    return new ApiClient(this.url, { apiKey });
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const all: Record<string, string> = { ...headers };
    if (this.credentials.accessToken) all.authorization = `Bearer ${this.credentials.accessToken}`;
    if (this.credentials.apiKey) all['x-api-key'] = this.credentials.apiKey;
    if (body !== undefined && typeof body !== 'string') all['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
}

export const uniqueEmail = (label: string): string =>
  `${label}-${randomBytes(5).toString('hex')}@example.test`;

export const PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  client: ApiClient;
  userId: string;
  email: string;
  refreshToken: string;
}

/** A new investor, registered and signed in over HTTP. */
export async function registerInvestor(api: RunningApi, label = 'investor'): Promise<SignedIn> {
  const email = uniqueEmail(label);
  const response = await new ApiClient(api.url).post('/auth/register', {
    email,
    password: PASSWORD,
  });
  if (response.status !== 201)
    throw new Error(`register: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    client: new ApiClient(api.url, { accessToken: response.body.accessToken }),
    userId: response.body.user.id,
    email,
    refreshToken: response.body.refreshToken,
  };
}

/** A staff account made in the API's own process (as an admin would), then signed in over HTTP. */
export async function signInStaff(
  api: RunningApi,
  role: StaffRole,
  label: string = role,
): Promise<SignedIn> {
  const email = uniqueEmail(label);
  const user = await api.app
    .get(UsersService)
    .createStaff(email, PASSWORD, role, { id: 'test', role: 'system' }, null);
  const response = await new ApiClient(api.url).post('/auth/sign-in', {
    email,
    password: PASSWORD,
  });
  if (response.status !== 200)
    throw new Error(`sign-in: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    client: new ApiClient(api.url, { accessToken: response.body.accessToken }),
    userId: user.id,
    email,
    refreshToken: response.body.refreshToken,
  };
}

/** The EIP-4361 message for a challenge the API issued, as a wallet app would prepare it. */
export function siweMessage(
  challenge: Record<string, any>,
  address: string,
  overrides: Partial<Record<string, unknown>> = {},
): string {
  return new SiweMessage({
    domain: challenge.domain,
    address,
    statement: challenge.statement,
    uri: challenge.uri,
    version: '1',
    chainId: challenge.chainId,
    nonce: challenge.nonce,
    issuedAt: challenge.issuedAt,
    expirationTime: challenge.expirationTime,
    ...overrides,
  }).prepareMessage();
}

/** Links a (new, unless given) wallet to the investor by signing the API's challenge. */
export async function linkWallet(
  investor: ApiClient,
  wallet: HDNodeWallet | Wallet = Wallet.createRandom(),
): Promise<{ wallet: HDNodeWallet | Wallet; response: ApiResponse }> {
  const challenge = (await investor.post('/wallets/nonce')).body;
  const message = siweMessage(challenge, wallet.address);
  const signature = await wallet.signMessage(message);
  const response = await investor.post('/wallets', { message, signature });
  return { wallet, response };
}
