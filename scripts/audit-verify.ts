import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AUDIT_ENTITIES, type AnchoredAuditVerification, verifyAuditAnchors } from '@gpu/audit';
import {
  type AnchoredHead,
  createChainProvider,
  readAnchoredHead,
  readDeploymentFile,
} from '@gpu/chain';
import { type AppConfig, loadConfig, scriptEnvironment } from '@gpu/config';
import { dataSourceOptions } from '@gpu/database';

/**
 * `npm run audit:verify`: recomputes the audit log's hash chain in DATABASE_URL and names the
 * first broken link, then checks every head anchored on chain (the AuditHeadAnchored events the
 * indexer stored and, when RPC_URL and DEPLOYMENT_FILE are set, the AuditAnchor contract's last
 * anchor read from the chain itself) against the log. Exits 1 when the chain breaks or an anchor
 * does not match.
 */
async function main(): Promise<void> {
  const env = scriptEnvironment(process.env);
  const config = loadConfig(env, { only: ['DATABASE_URL'] });
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL,
      entities: AUDIT_ENTITIES,
      applicationName: 'gpu-audit-verify',
    }),
  );
  await dataSource.initialize();
  try {
    const contractHead = await readContractHead(env);
    const result = await verifyAuditAnchors(dataSource, { contractHead });
    process.stdout.write(report(result));
    if (!result.valid) process.exitCode = 1;
  } finally {
    await dataSource.destroy();
  }
}

/** The contract's last anchor; undefined (with a note) when there is no chain to ask. */
async function readContractHead(
  env: Record<string, string | undefined>,
): Promise<AnchoredHead | null | undefined> {
  if (!env.RPC_URL) {
    process.stdout.write('contract: not read (RPC_URL is not set)\n');
    return undefined;
  }
  let config: AppConfig;
  try {
    config = loadConfig(env, { only: ['RPC_URL', 'DEPLOYMENT_FILE', 'RPC_TIMEOUT_MS'] });
  } catch (error) {
    process.stdout.write(`contract: not read (${(error as Error).message})\n`);
    return undefined;
  }
  if (!existsSync(config.DEPLOYMENT_FILE)) {
    process.stdout.write(`contract: not read (no deployment file ${config.DEPLOYMENT_FILE})\n`);
    return undefined;
  }
  const deployment = readDeploymentFile(config.DEPLOYMENT_FILE);
  const provider = createChainProvider(config.RPC_URL, deployment.chainId, config.RPC_TIMEOUT_MS);
  try {
    return await readAnchoredHead(provider, deployment, config.RPC_TIMEOUT_MS);
  } catch (error) {
    process.stdout.write(`contract: not read (${(error as Error).message})\n`);
    return undefined;
  } finally {
    provider.destroy();
  }
}

function report(result: AnchoredAuditVerification): string {
  const lines: string[] = [];
  const head = result.head ? `entry ${result.head.sequence}, hash ${result.head.hash}` : 'none';
  lines.push(`entries read: ${result.entries}`, `last good entry (hash chain): ${head}`);
  const { anchors } = result;
  const latest = anchors.latest
    ? `, latest: entry ${anchors.latest.sequence}, head ${anchors.latest.head} (tx ${anchors.latest.txHash}, block ${anchors.latest.blockNumber})`
    : '';
  lines.push(`anchors indexed: ${anchors.count}${latest}`);
  if (anchors.contract !== undefined) {
    lines.push(
      anchors.contract
        ? `contract's last anchor: entry ${anchors.contract.sequence}, head ${anchors.contract.head} (read at block ${anchors.contract.blockNumber})`
        : "contract's last anchor: none yet",
    );
  }
  for (const m of anchors.mismatches) {
    const where = m.txHash
      ? `in tx ${m.txHash} (block ${m.blockNumber})`
      : `by the contract (read at block ${m.blockNumber})`;
    lines.push(
      `ANCHOR MISMATCH at entry ${m.sequence}: ${m.anchored} anchored ${where}, the log holds ${m.stored ?? 'no such entry'}`,
    );
  }
  if (result.firstProblem) {
    lines.push(`BROKEN at entry ${result.firstProblem.sequence}: ${result.firstProblem.problem}`);
  } else if (result.valid) {
    const anchored = anchors.count + (anchors.contract ? 1 : 0);
    lines.push(
      anchored > 0
        ? 'the audit log verifies, and matches its anchors on chain'
        : 'the audit log verifies (nothing anchored on chain yet)',
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
