import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { getAddress, verifyMessage } from 'ethers';
import { SiweMessage } from 'siwe';
import { DataSource, EntityManager } from 'typeorm';
import { type Actor, AuditLog, userActor } from '@gpu/audit';
import { type Deployment, DEPLOYMENT } from '@gpu/chain';
import { AppConfig } from '@gpu/config';
import { isUniqueViolation } from '@gpu/database';
import { JobQueue } from '@gpu/queue';
import { SiweNonce, type SiwePurpose } from './entities/siwe-nonce.entity';
import { User } from './entities/user.entity';
import { Wallet } from './entities/wallet.entity';
import { IdentityError, IdentityErrorCode } from './identity.errors';
import { type Session, SessionsService } from './sessions.service';

/** Clocks of client and server may differ this much. */
const CLOCK_SKEW_MS = 60_000;

export const SIWE_STATEMENTS: Record<SiwePurpose, string> = {
  link: 'Link this wallet to my GPU farm RWA investor account.',
  'sign-in': 'Sign in to my GPU farm RWA investor account.',
};

/** What the client puts in the message it asks the wallet to sign (EIP-4361). */
export interface SiweChallenge {
  domain: string;
  uri: string;
  chainId: number;
  version: '1';
  nonce: string;
  statement: string;
  issuedAt: Date;
  expirationTime: Date;
}

/**
 * Sign-In with Ethereum (EIP-4361): the server issues single-use nonces; a signed message is
 * accepted only for this domain, URI and chain, within its times, with a signature by the
 * address it names, and with a nonce that is unused, unexpired and issued for this purpose
 * (and, to link, to this investor).
 */
@Injectable()
export class SiweService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
  ) {}

  async challenge(purpose: SiwePurpose, userId: string | null): Promise<SiweChallenge> {
    const issuedAt = new Date();
    const expirationTime = new Date(issuedAt.getTime() + this.config.SIWE_NONCE_TTL_SECONDS * 1000);
    const nonce = randomBytes(16).toString('hex');
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM siwe_nonce WHERE expires_at < now() - interval '1 day'`);
      await manager.insert(SiweNonce, {
        nonce,
        purpose,
        userId,
        issuedAt,
        expiresAt: expirationTime,
      });
    });
    return {
      domain: this.config.SIWE_DOMAIN,
      uri: this.config.SIWE_URI,
      chainId: this.deployment.chainId,
      version: '1',
      nonce,
      statement: SIWE_STATEMENTS[purpose],
      issuedAt,
      expirationTime,
    };
  }

  /** Links the wallet that signed `message` to the investor; linking it again is a no-op. */
  async link(userId: string, message: string, signature: string, actor: Actor): Promise<Wallet> {
    const signed = this.check(message, signature, 'link');
    const wallet = await this.linkChecked(userId, signed, actor).catch((error: unknown) => {
      // Two links of one wallet at once: the loser sees the other's row.
      if (isUniqueViolation(error)) throw IdentityError.walletAlreadyLinked();
      throw error;
    });
    await this.jobs.enqueue(
      'kyc.sync-registry',
      { userId },
      { jobId: `kyc-sync-registry-${wallet.id}` },
    );
    return wallet;
  }

  private linkChecked(userId: string, signed: SiweMessage, actor: Actor): Promise<Wallet> {
    return this.dataSource.transaction(async (manager) => {
      await this.consumeNonce(manager, signed.nonce, 'link', userId);
      const address = signed.address.toLowerCase();
      const existing = await manager.findOneBy(Wallet, { address });
      if (existing && existing.userId !== userId) throw IdentityError.walletAlreadyLinked();
      if (existing) return existing;
      const linked = manager.create(Wallet, { userId, address, chainId: signed.chainId });
      await manager.save(linked);
      await this.audit.record(manager, actor, 'wallet.link', `wallet:${linked.id}`, {
        userId,
        address: getAddress(address),
        chainId: signed.chainId,
      });
      return linked;
    });
  }

  /** A session for the investor who linked the wallet that signed `message`. */
  async signIn(message: string, signature: string, requestId?: string): Promise<Session> {
    const signed = this.check(message, signature, 'sign-in');
    return this.dataSource.transaction(async (manager) => {
      await this.consumeNonce(manager, signed.nonce, 'sign-in', null);
      const wallet = await manager.findOneBy(Wallet, { address: signed.address.toLowerCase() });
      const user =
        wallet && (await manager.findOneBy(User, { id: wallet.userId, status: 'active' }));
      if (!user) throw IdentityError.walletNotLinked();
      await this.audit.record(
        manager,
        userActor(user.id, user.role, requestId),
        'auth.sign-in',
        `user:${user.id}`,
        { method: 'siwe', wallet: getAddress(signed.address) },
      );
      return this.sessions.open(manager, user);
    });
  }

  /** Everything that can be checked without the database, in the order a client can act on. */
  private check(text: string, signature: string, purpose: SiwePurpose): SiweMessage {
    let message: SiweMessage;
    try {
      message = new SiweMessage(text);
    } catch {
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_MALFORMED,
        'The message is not an EIP-4361 Sign-In with Ethereum message',
      );
    }
    if (message.domain !== this.config.SIWE_DOMAIN)
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_DOMAIN_MISMATCH,
        `The message is for ${message.domain}, not ${this.config.SIWE_DOMAIN}`,
      );
    if (message.statement !== SIWE_STATEMENTS[purpose])
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_STATEMENT_MISMATCH,
        `The message must state: ${SIWE_STATEMENTS[purpose]}`,
      );
    if (!sameUri(message.uri, this.config.SIWE_URI))
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_URI_MISMATCH,
        `The message's URI is not ${this.config.SIWE_URI}`,
      );
    if (message.chainId !== this.deployment.chainId)
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_CHAIN_MISMATCH,
        `The message is for chain ${message.chainId}, not ${this.deployment.chainId}`,
      );
    const now = Date.now();
    if (!message.expirationTime || Date.parse(message.expirationTime) <= now)
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_EXPIRED,
        'The message has expired (or names no expiration time)',
      );
    if (
      Date.parse(message.issuedAt!) > now + CLOCK_SKEW_MS ||
      (message.notBefore !== undefined && Date.parse(message.notBefore) > now + CLOCK_SKEW_MS)
    )
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_NOT_YET_VALID,
        'The message is not valid yet',
      );
    let signer: string;
    try {
      signer = verifyMessage(text, signature);
    } catch {
      signer = '';
    }
    if (signer.toLowerCase() !== message.address.toLowerCase())
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_SIGNATURE_INVALID,
        'The signature is not by the address the message names',
      );
    return message;
  }

  /** Uses the nonce up, atomically: a second use, or one by another purpose or investor, finds nothing. */
  private async consumeNonce(
    manager: EntityManager,
    nonce: string,
    purpose: SiwePurpose,
    userId: string | null,
  ): Promise<void> {
    const rows: unknown[] = await manager.query(
      `UPDATE siwe_nonce SET used_at = now()
        WHERE nonce = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
          AND user_id IS NOT DISTINCT FROM $3
        RETURNING nonce`,
      [nonce, purpose, userId],
    );
    if ((rows[0] as unknown[]).length === 0)
      throw IdentityError.siwe(
        IdentityErrorCode.SIWE_NONCE_INVALID,
        'The nonce is unknown, used, expired or was issued for something else',
      );
  }
}

function sameUri(a: string, b: string): boolean {
  try {
    const left = new URL(a);
    const right = new URL(b);
    return left.origin === right.origin && left.pathname === right.pathname;
  } catch {
    return false;
  }
}
