import { DataSource } from 'typeorm';
import { AUDIT_ENTITIES, verifyAuditLog } from '@gpu/audit';
import { loadConfig, scriptEnvironment } from '@gpu/config';
import { dataSourceOptions } from '@gpu/database';

/**
 * `npm run audit:verify`: recomputes the audit log's hash chain in DATABASE_URL and names the
 * first broken link. Exits 1 when the log does not verify.
 */
async function main(): Promise<void> {
  const config = loadConfig(scriptEnvironment(process.env), { only: ['DATABASE_URL'] });
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL,
      entities: AUDIT_ENTITIES,
      applicationName: 'gpu-audit-verify',
    }),
  );
  await dataSource.initialize();
  try {
    const result = await verifyAuditLog(dataSource);
    const head = result.head ? `entry ${result.head.sequence}, hash ${result.head.hash}` : 'none';
    process.stdout.write(`entries read: ${result.entries}\nlast good entry: ${head}\n`);
    if (!result.valid) {
      process.stdout.write(
        `BROKEN at entry ${result.firstProblem!.sequence}: ${result.firstProblem!.problem}\n`,
      );
      process.exitCode = 1;
    } else {
      process.stdout.write('the audit log verifies\n');
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
