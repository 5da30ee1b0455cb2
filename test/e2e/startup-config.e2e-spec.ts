import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs an app's real main() the way npm scripts do, with a broken setting. */
function startWith(app: 'api' | 'worker', env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      `apps/${app}/src/main.ts`,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 },
  );
}

describe('start-up with a bad setting', () => {
  it.each(['api', 'worker'] as const)('%s refuses DATABASE_URL=notaurl and names it', (app) => {
    const result = startWith(app, { DATABASE_URL: 'notaurl' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration:\n\s+- DATABASE_URL /);
    expect(result.stderr).not.toContain('notaurl');
  });

  it('names a missing RPC_URL', () => {
    const result = startWith('api', { RPC_URL: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/- RPC_URL /);
  });

  it('refuses the well-known anvil key in production', () => {
    const result = startWith('api', {
      NODE_ENV: 'production',
      DEPLOYER_PRIVATE_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/DEPLOYER_PRIVATE_KEY is a well-known development key/);
  });
});
