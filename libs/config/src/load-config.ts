import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { ValidationError, getMetadataStorage, validateSync } from 'class-validator';
import { AppConfig, NodeEnv } from './app-config';
import { isWellKnownDevKey, localReporterKeys, wellKnownDevPrivateKeys } from './dev-keys';

export type Environment = Record<string, string | undefined>;

/** Start-up refusal: the message names every bad setting, never its value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every property of AppConfig that carries a validation rule is a setting. */
const SETTING_NAMES = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(AppConfig, '', true, false)
      .map((rule) => rule.propertyName),
  ),
];

/**
 * Validates the environment against AppConfig. Empty values count as unset, so that
 * `FOO=` in an env file falls back to the default. Tools that need only some settings
 * (the migration CLI, the deploy script) name them in `only`; the apps check them all.
 */
export function loadConfig(
  env: Environment,
  options: { only?: (keyof AppConfig)[] } = {},
): AppConfig {
  const input: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const config = plainToInstance(AppConfig, input, { exposeDefaultValues: true });
  const checked = (name: string) => !options.only || options.only.includes(name as keyof AppConfig);
  const problems = validateSync(config, { whitelist: true })
    .filter((error) => checked(error.property))
    .flatMap(describe);
  problems.push(...productionProblems(config).filter((problem) => checked(problem.split(' ')[0])));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Chain ids of local development chains (anvil, hardhat, ganache). */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/**
 * The key that deploys to chain `chainId`: the configured one; anvil's first development key
 * only for a local chain outside production; otherwise a refusal naming the setting.
 */
export function deployerPrivateKey(config: AppConfig, chainId: number): string {
  if (config.DEPLOYER_PRIVATE_KEY) return config.DEPLOYER_PRIVATE_KEY;
  if (config.NODE_ENV !== NodeEnv.Production && LOCAL_CHAIN_IDS.includes(chainId)) {
    return wellKnownDevPrivateKeys()[0];
  }
  throw new ConfigError([
    `DEPLOYER_PRIVATE_KEY is required to deploy to chain ${chainId} (the development key is only for local chains outside production)`,
  ]);
}

/**
 * The key of the platform agent, which the worker's sender signs with: the configured one;
 * anvil's second development key only for a local chain outside production.
 */
export function platformAgentPrivateKey(config: AppConfig, chainId: number): string {
  if (config.PLATFORM_AGENT_PRIVATE_KEY) return config.PLATFORM_AGENT_PRIVATE_KEY;
  if (config.NODE_ENV !== NodeEnv.Production && LOCAL_CHAIN_IDS.includes(chainId)) {
    return wellKnownDevPrivateKeys()[1];
  }
  throw new ConfigError([
    `PLATFORM_AGENT_PRIVATE_KEY is required to send transactions on chain ${chainId} (the development key is only for local chains outside production)`,
  ]);
}

/** The keys this worker signs uptime reports with: the configured ones, or anvil accounts 7-9 on local chains. */
export function oracleReporterPrivateKeys(config: AppConfig, chainId: number): string[] {
  if (config.ORACLE_REPORTER_PRIVATE_KEYS) return config.ORACLE_REPORTER_PRIVATE_KEYS.split(',');
  if (config.NODE_ENV !== NodeEnv.Production && LOCAL_CHAIN_IDS.includes(chainId)) {
    return localReporterKeys();
  }
  throw new ConfigError([
    `ORACLE_REPORTER_PRIVATE_KEYS is required to sign uptime reports on chain ${chainId} (the development keys are only for local chains outside production)`,
  ]);
}

/**
 * Signs access tokens outside production when JWT_SECRET is unset: random for each process, so a
 * forgotten setting can never leave a secret anyone could know (tokens then last as long as the
 * process). Required in production.
 */
let processJwtSecret: string | undefined;

/** The secret access tokens are signed with: the configured one, or outside production a random one. */
export function jwtSecret(config: AppConfig): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.NODE_ENV !== NodeEnv.Production)
    return (processJwtSecret ??= randomBytes(32).toString('hex'));
  throw new ConfigError(['JWT_SECRET is required when NODE_ENV=production']);
}

function productionProblems(config: AppConfig): string[] {
  if (config.NODE_ENV !== NodeEnv.Production) return [];
  const problems: string[] = [];
  if (!config.JWT_SECRET)
    problems.push('JWT_SECRET is required when NODE_ENV=production (at least 32 characters)');
  for (const name of ['DEPLOYER_PRIVATE_KEY', 'PLATFORM_AGENT_PRIVATE_KEY'] as const) {
    const key = config[name];
    if (key && isWellKnownDevKey(key)) {
      problems.push(
        `${name} is a well-known development key and is refused when NODE_ENV=production`,
      );
    }
  }
  if (config.ORACLE_REPORTER_PRIVATE_KEYS?.split(',').some(isWellKnownDevKey)) {
    problems.push(
      'ORACLE_REPORTER_PRIVATE_KEYS holds a well-known development key, refused when NODE_ENV=production',
    );
  }
  return problems;
}

function describe(error: ValidationError): string[] {
  const messages = Object.values(error.constraints ?? {});
  if (messages.length === 0) return [`${error.property} is invalid`];
  return messages.map((message) =>
    message.startsWith(error.property) ? message : `${error.property}: ${message}`,
  );
}

/** For the apps' main(): the validated config, or a message naming each bad setting and exit 1. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
