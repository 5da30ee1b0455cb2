import { DataSource } from 'typeorm';
import { parseArgs } from 'node:util';
import { AUDIT_ENTITIES } from '@gpu/audit';
import { loadConfig, scriptEnvironment } from '@gpu/config';
import { dataSourceOptions } from '@gpu/database';
import { createFirstAdmin, IDENTITY_ENTITIES } from '@gpu/identity';

const USAGE = `npm run admin:create -- --email <email>
  The password is read from ADMIN_PASSWORD or, when unset, from the first line of stdin
  (12 to 128 characters). Refused once an admin exists.`;

async function readPassword(env: Record<string, string | undefined>): Promise<string> {
  if (env.ADMIN_PASSWORD) return env.ADMIN_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (input is shown): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** `npm run admin:create`: the first admin of a fresh installation. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' } } });
  if (!values.email) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const env = scriptEnvironment(process.env);
  const config = loadConfig(env, { only: ['DATABASE_URL'] });
  const password = await readPassword(env);
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.DATABASE_URL,
      entities: [...IDENTITY_ENTITIES, ...AUDIT_ENTITIES],
      applicationName: 'gpu-create-admin',
    }),
  );
  await dataSource.initialize();
  try {
    const admin = await createFirstAdmin(dataSource, values.email, password);
    process.stdout.write(`created admin ${admin.email} (${admin.id})\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await dataSource.destroy();
  }
}

void main();
