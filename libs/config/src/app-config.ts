import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsEnum,
  IsEthereumAddress,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { IsConnectionUrl } from './is-connection-url.validator';

export enum NodeEnv {
  Development = 'development',
  Test = 'test',
  Production = 'production',
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Every setting of the product. Validated once at start-up by loadConfig(); nothing else
 * reads process.env. `.env.example` documents each one with its local default.
 */
export class AppConfig {
  @IsEnum(NodeEnv)
  NODE_ENV: NodeEnv = NodeEnv.Development;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsString()
  API_HOST = '127.0.0.1';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  API_PORT = 3000;

  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_URL: string;

  /** Connections in each process's Postgres pool. */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsConnectionUrl(['redis:', 'rediss:'])
  REDIS_URL: string;

  /** Prefix of every BullMQ key, so that several deployments or test runs share one Redis. */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/)
  QUEUE_PREFIX = 'gpu';

  @IsConnectionUrl(['http:', 'https:'])
  RPC_URL: string;

  /** JSON file written by `npm run contracts:deploy`: chain id, block and contract addresses. */
  @IsString()
  DEPLOYMENT_FILE = 'deployments/local.json';

  /** Signs contract deployments. Optional locally (anvil's first dev key); required in production. */
  @IsOptional()
  @Matches(PRIVATE_KEY, { message: 'DEPLOYER_PRIVATE_KEY must be a 0x-prefixed 32-byte hex key' })
  DEPLOYER_PRIVATE_KEY?: string;

  /** The payment stablecoin. Unset: a MockStablecoin is deployed (local chains only). */
  @IsOptional()
  @IsEthereumAddress()
  STABLECOIN_ADDRESS?: string;

  /** Receives the platform's agent roles on deployment. Unset: the address of PLATFORM_AGENT_PRIVATE_KEY. */
  @IsOptional()
  @IsEthereumAddress()
  PLATFORM_AGENT_ADDRESS?: string;

  /**
   * The worker's transaction sender signs the platform's transactions (the `platform` lane)
   * with it. Optional locally (anvil's second dev key); required in production.
   */
  @IsOptional()
  @Matches(PRIVATE_KEY, {
    message: 'PLATFORM_AGENT_PRIVATE_KEY must be a 0x-prefixed 32-byte hex key',
  })
  PLATFORM_AGENT_PRIVATE_KEY?: string;

  /** Comma-separated addresses of the uptime reporters. Unset on a local chain: anvil accounts 7-9. */
  @IsOptional()
  @Matches(/^0x[0-9a-fA-F]{40}(,0x[0-9a-fA-F]{40})*$/, {
    message: 'ORACLE_REPORTERS must be comma-separated 0x addresses',
  })
  ORACLE_REPORTERS?: string;

  /** How many reporters must sign an uptime report (k of n). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(255)
  ORACLE_THRESHOLD = 2;

  /** Seconds a started admin hand-over of a contract must wait before it can be accepted. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  ADMIN_TRANSFER_DELAY_SECONDS = 0;

  /** Every RPC call is abandoned after this long. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  RPC_TIMEOUT_MS = 5000;

  /**
   * The proxies in front of the API whose X-Forwarded-For is believed (rate limits count by
   * client address): empty for none, a number of hops, or addresses and CIDRs separated by commas.
   */
  @Matches(/^(|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, {
    message:
      'TRUST_PROXY must be empty, a number of hops, or addresses and CIDRs separated by commas',
  })
  TRUST_PROXY = '';

  /** A request must arrive whole (headers and body) within this, or it is answered 408. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  /** Sign-ins, registrations, refreshes and password changes per client address and minute. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_AUTH_PER_MINUTE = 30;

  /** Sign-in attempts per email address (the account guessed at) and hour, from any address. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR = 20;

  /** SIWE challenges and signatures (sign-in and wallet links) per client address and minute. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_SIWE_PER_MINUTE = 30;

  /** Orders per investor account and minute. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_ORDERS_PER_MINUTE = 120;

  /** A health check of one dependency gives up after this long and reports it down. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(30_000)
  HEALTH_TIMEOUT_MS = 2000;

  /** How often the worker records the chain head. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  CHAIN_HEARTBEAT_INTERVAL_MS = 5000;

  /**
   * A block is final once it has this many blocks on top of it, itself included: a transaction
   * is `confirmed`, and the indexer reads a block, only then. 1 = as soon as it is mined.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  CHAIN_CONFIRMATIONS = 12;

  /** A broadcast transaction not mined after this long is replaced with higher fees. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  TX_STUCK_AFTER_MS = 60_000;

  /** How much a replacement raises both EIP-1559 fees, in percent (nodes require at least 10). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(500)
  TX_FEE_BUMP_PERCENT = 20;

  /** No transaction is ever signed with a max fee per gas above this (wei, decimal integer). */
  @Matches(/^[1-9][0-9]{0,29}$/, { message: 'TX_MAX_FEE_PER_GAS_WEI must be a positive integer' })
  TX_MAX_FEE_PER_GAS_WEI = '500000000000';

  /** How many queued transactions the sender signs in one round. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  TX_BATCH_SIZE = 200;

  /** How often the sender and the indexer look for work when they are idle. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  CHAIN_POLL_INTERVAL_MS = 1000;

  /** The most blocks the indexer asks logs for in one eth_getLogs call. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  INDEXER_BATCH_BLOCKS = 2000;

  /** How often the worker compares indexed balances and supplies with the chain. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RECONCILE_INTERVAL_MS = 300_000;

  /** How often the worker anchors the audit log's head on chain (when it moved). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  AUDIT_ANCHOR_INTERVAL_MS = 600_000;

  /**
   * Signs the API's access tokens (HMAC-SHA256), at least 32 characters. Optional outside
   * production (a fixed development secret); required in production.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Lifetime of an access token; a refresh token obtains the next one. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(3600)
  JWT_ACCESS_TTL_SECONDS = 900;

  /** Lifetime of a refresh token (each use replaces it with a new one). */
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(90 * 86_400)
  REFRESH_TOKEN_TTL_SECONDS = 14 * 86_400;

  /** The host (and port) investors sign in from: a Sign-In with Ethereum message must name it. */
  @Matches(/^[a-zA-Z0-9.-]+(:[0-9]{1,5})?$/, { message: 'SIWE_DOMAIN must be a host[:port]' })
  SIWE_DOMAIN = 'localhost:3000';

  /** The URI a Sign-In with Ethereum message must carry. */
  @IsConnectionUrl(['http:', 'https:'])
  SIWE_URI = 'http://localhost:3000';

  /** How long a Sign-In with Ethereum nonce (and so the message) may be used. */
  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(3600)
  SIWE_NONCE_TTL_SECONDS = 300;

  /**
   * Shared secret of the Sumsub-compatible KYC webhook (HMAC-SHA256 of the raw body). Unset:
   * the webhook refuses every call.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'KYC_WEBHOOK_SECRET must be at least 16 characters' })
  KYC_WEBHOOK_SECRET?: string;

  /** Sumsub's API, read for the verified country of an approved applicant (webhooks carry none). */
  @IsConnectionUrl(['http:', 'https:'])
  SUMSUB_API_URL = 'https://api.sumsub.com';

  /** App token and secret key of the Sumsub API. Unset: Sumsub approvals cannot be applied (503). */
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'SUMSUB_APP_TOKEN must be at least 8 characters' })
  SUMSUB_APP_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'SUMSUB_SECRET_KEY must be at least 16 characters' })
  SUMSUB_SECRET_KEY?: string;

  /** How long a KYC approval is valid, in days. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  KYC_VALIDITY_DAYS = 365;

  /** How often the worker expires KYC approvals that have run out. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  KYC_EXPIRY_INTERVAL_MS = 60_000;

  /** How often the worker reads new PrimarySale events (payments, refunds) and acts on them. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  SALE_EVENTS_INTERVAL_MS = 1000;

  /** How often the worker expires unpaid reservations, closes offerings past their end and marks stuck paid orders refundable. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  ORDER_EXPIRY_INTERVAL_MS = 10_000;

  /**
   * How long after its pay-by time an unpaid reservation still waits, so that a payment made just
   * in time is seen (confirmations plus indexing) before the fractions return.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400)
  ORDER_PAYMENT_GRACE_SECONDS = 300;

  /** Length of an uptime epoch; epoch n covers [n x length, (n + 1) x length) seconds since 1970. */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(31 * 86_400)
  ORACLE_EPOCH_SECONDS = 3600;

  /** How long a probe waits for a node's metrics endpoint (connect and body). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  ORACLE_PROBE_TIMEOUT_MS = 5000;

  /**
   * Probes one worker process runs at once, all farms together. A probe spends most of its time
   * waiting (for the node, then for its batch's commit): 256 kept one process busy where 128 left
   * it idle a fifth of the time (npm run bench:oracle). Each may hold a body of up to
   * ORACLE_METRICS_MAX_BYTES, read and then decoded: size the worker's memory for both.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4096)
  ORACLE_PROBE_CONCURRENCY = 256;

  /**
   * How long before each slot a farm's plan adds the slot's probes (jobs delayed until it starts),
   * so that adding thousands of jobs does not hold up probing; at most half the farm's interval.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  ORACLE_PLAN_LEAD_SECONDS = 10;

  /** Probes of one farm one worker process runs at once (a farm's network is not flooded). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4096)
  ORACLE_FARM_PROBE_CONCURRENCY = 32;

  /** A metrics body larger than this is a failed probe. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  ORACLE_METRICS_MAX_BYTES = 1024 * 1024;

  /** Samples with timestamps older than this, when the exporter sends timestamps, are stale. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  ORACLE_METRICS_MAX_AGE_SECONDS = 120;

  /** How often the worker looks for ended epochs to report, and for farms to start or stop probing. */
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  ORACLE_EPOCH_CHECK_INTERVAL_MS = 5000;

  /**
   * Comma-separated private keys of the uptime reporters this worker signs with (k of them are
   * needed on chain). Optional on a local chain (anvil accounts 7-9); required in production.
   */
  @IsOptional()
  @Matches(/^0x[0-9a-fA-F]{64}(,0x[0-9a-fA-F]{64})*$/, {
    message: 'ORACLE_REPORTER_PRIVATE_KEYS must be comma-separated 0x-prefixed 32-byte hex keys',
  })
  ORACLE_REPORTER_PRIVATE_KEYS?: string;

  /** The platform's fee on a farm's gross revenue, in basis points, before the holders' share. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  PLATFORM_FEE_BPS = 200;

  /** How far (basis points of the oracle's figure) a revenue report may deviate before compliance must approve it. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  REVENUE_TOLERANCE_BPS = 500;

  /** The part of the operator's share that goes to the holders instead in an epoch under the farm's SLA, in basis points. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  SLA_PENALTY_BPS = 5000;

  /** How often the worker looks for distributions to compute. */
  @Type(() => Number)
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  DISTRIBUTION_CHECK_INTERVAL_MS = 5000;
}
