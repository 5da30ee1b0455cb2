import { NodeEnv } from './app-config';
import { ConfigError, deployerPrivateKey, jwtSecret, loadConfig } from './load-config';
import { wellKnownDevPrivateKeys } from './dev-keys';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gpu',
  REDIS_URL: 'redis://127.0.0.1:6379',
  RPC_URL: 'http://127.0.0.1:8545',
};

/** What production needs beyond `valid`. */
const production = { ...valid, NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to refuse');
}

describe('loadConfig', () => {
  it('accepts the required settings and fills the defaults', () => {
    const config = loadConfig(valid);
    expect(config.DATABASE_URL).toBe(valid.DATABASE_URL);
    expect(config.API_PORT).toBe(3000);
    expect(config.NODE_ENV).toBe(NodeEnv.Development);
    expect(config.QUEUE_PREFIX).toBe('gpu');
  });

  it('converts numbers and ignores unrelated variables', () => {
    const config = loadConfig({ ...valid, API_PORT: '8080', PATH: '/usr/bin' });
    expect(config.API_PORT).toBe(8080);
    expect(config).not.toHaveProperty('PATH');
  });

  it('names DATABASE_URL when it is not a URL', () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: 'notaurl' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL /);
  });

  it('names every missing required setting', () => {
    const problems = problemsOf({});
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
    expect(problems.join('\n')).toMatch(/RPC_URL/);
  });

  it('refuses a URL of the wrong kind and a malformed number', () => {
    const problems = problemsOf({ ...valid, REDIS_URL: 'http://127.0.0.1:6379', API_PORT: 'x' });
    expect(problems.some((p) => p.startsWith('REDIS_URL'))).toBe(true);
    expect(problems.some((p) => p.startsWith('API_PORT'))).toBe(true);
  });

  it('never prints the value of a setting', () => {
    const secret = 'postgres-but-not:really-secret-value';
    const problems = problemsOf({ ...valid, DATABASE_URL: secret });
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('uses the first anvil key as deployer only for a local chain outside production', () => {
    expect(deployerPrivateKey(loadConfig(valid), 31337)).toBe(wellKnownDevPrivateKeys()[0]);
    expect(() => deployerPrivateKey(loadConfig(valid), 11155111)).toThrow(
      /DEPLOYER_PRIVATE_KEY is required to deploy to chain 11155111/,
    );
    expect(() => deployerPrivateKey(loadConfig(production), 31337)).toThrow(
      /DEPLOYER_PRIVATE_KEY is required/,
    );
  });

  it('starts in production without a deployer key, but refuses a well-known one', () => {
    expect(loadConfig(production).NODE_ENV).toBe('production');
    const devKey = wellKnownDevPrivateKeys()[3];
    expect(problemsOf({ ...production, DEPLOYER_PRIVATE_KEY: devKey })[0]).toMatch(
      /well-known development key/,
    );
  });

  it('accepts a real key in production', () => {
    const key = '0x' + '1f'.repeat(32);
    const config = loadConfig({ ...production, DEPLOYER_PRIVATE_KEY: key });
    expect(deployerPrivateKey(config, 8453)).toBe(key);
  });

  it('signs tokens with a random per-process secret outside production, and demands one in production', () => {
    const development = jwtSecret(loadConfig(valid));
    expect(development).toMatch(/^[0-9a-f]{64}$/);
    expect(jwtSecret(loadConfig(valid))).toBe(development);
    expect(jwtSecret(loadConfig(production))).toBe(production.JWT_SECRET);
    expect(problemsOf({ ...production, JWT_SECRET: undefined })).toContainEqual(
      expect.stringMatching(/^JWT_SECRET is required when NODE_ENV=production/),
    );
    expect(problemsOf({ ...valid, JWT_SECRET: 'short' })).toContainEqual(
      expect.stringMatching(/JWT_SECRET must be at least 32 characters/),
    );
  });
});

describe('loadConfig with only', () => {
  it('checks just the named settings', () => {
    const config = loadConfig({ DATABASE_URL: valid.DATABASE_URL }, { only: ['DATABASE_URL'] });
    expect(config.DATABASE_URL).toBe(valid.DATABASE_URL);
    expect(() => loadConfig({ DATABASE_URL: 'nope' }, { only: ['DATABASE_URL'] })).toThrow(
      /DATABASE_URL/,
    );
  });

  it('still applies the production rules to the named settings', () => {
    const DEPLOYER_PRIVATE_KEY = wellKnownDevPrivateKeys()[1];
    expect(() =>
      loadConfig(
        { NODE_ENV: 'production', DEPLOYER_PRIVATE_KEY },
        { only: ['DEPLOYER_PRIVATE_KEY'] },
      ),
    ).toThrow(/well-known development key/);
  });
});
