import type { INestApplicationContext } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { loadConfig } from '@gpu/config';
import { type SignedIn, signInStaff } from './api-client';
import { type RunningApi, startApi, startWorker } from './apps';
import { type IsolatedStack, startIsolatedStack } from './isolated-stack';
import { issuanceFixtures, type IssuanceFixtures } from './issuance-fixtures';
import { directProvider } from './outbox-client';
import { type RpcProxy, startRpcProxy } from '../../scripts/lib/rpc-proxy';

/** An isolated stack with the API and the worker running on it, an operator and an officer signed in. */
export interface IsolatedApps {
  iso: IsolatedStack;
  api: RunningApi;
  worker: INestApplicationContext;
  /** Straight to the chain (not through the proxy). */
  provider: JsonRpcProvider;
  dataSource: DataSource;
  operator: SignedIn;
  officer: SignedIn;
  fixtures: IssuanceFixtures;
  /** Between the worker and the chain, when asked for. */
  proxy?: RpcProxy;
  stop(): Promise<void>;
}

/**
 * Starts an isolated stack with `settings`, the API and the worker on it (the worker's RPC through
 * an RpcProxy when `proxyWorkerRpc`), and signs in an operator and a compliance officer.
 */
export async function startIsolatedApps(
  settings: Record<string, string> = {},
  options: { proxyWorkerRpc?: boolean } = {},
): Promise<IsolatedApps> {
  const iso = await startIsolatedStack(settings);
  const started: { close(): Promise<unknown> }[] = [];
  try {
    const proxy = options.proxyWorkerRpc ? await startRpcProxy(iso.env.RPC_URL) : undefined;
    if (proxy) started.push(proxy);
    const api = await startApi(loadConfig(iso.env));
    started.push(api);
    const worker = await startWorker(
      loadConfig(proxy ? { ...iso.env, RPC_URL: proxy.url } : iso.env),
    );
    started.push(worker);
    return await signedIn(iso, api, worker, proxy);
  } catch (error) {
    for (const part of started.reverse()) await part.close().catch(() => undefined);
    await iso.stop();
    throw error;
  }
}

async function signedIn(
  iso: IsolatedStack,
  api: RunningApi,
  worker: INestApplicationContext,
  proxy: RpcProxy | undefined,
): Promise<IsolatedApps> {
  const provider = directProvider(iso.env.RPC_URL);
  const dataSource = api.app.get(DataSource);
  const [operator, officer] = await Promise.all([
    signInStaff(api, 'operator'),
    signInStaff(api, 'compliance'),
  ]);
  return {
    iso,
    api,
    worker,
    provider,
    dataSource,
    operator,
    officer,
    fixtures: issuanceFixtures({ api, operator, officer, dataSource, provider }),
    proxy,
    stop: async () => {
      provider.destroy();
      await worker.close();
      await api.close();
      await proxy?.close();
      await iso.stop();
    },
  };
}
