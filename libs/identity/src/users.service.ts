import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource, EntityManager } from 'typeorm';
import { type Actor, AuditLog, userActor } from '@gpu/audit';
import { isUniqueViolation, pgPool } from '@gpu/database';
import { JobQueue } from '@gpu/queue';
import { User, type UserRole, type StaffRole } from './entities/user.entity';
import { IdentityError } from './identity.errors';
import { PasswordHasher } from './password-hasher';
import type { Principal } from './principal';
import { type Session, SessionsService } from './sessions.service';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

type ActiveUser = Pick<User, 'id' | 'role' | 'sessionVersion'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accounts: investors register themselves; staff are created by an admin; the first admin by the CLI. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
  ) {}

  /** Self-registration of an investor, signed in at once. */
  async registerInvestor(email: string, password: string, requestId?: string): Promise<Session> {
    const passwordHash = await this.hasher.hash(password);
    return this.dataSource.transaction(async (manager) => {
      const user = await this.insert(manager, email, passwordHash, 'investor', null);
      const actor = userActor(user.id, user.role, requestId);
      await this.audit.record(manager, actor, 'user.register', `user:${user.id}`, {
        email: user.email,
        role: user.role,
      });
      return this.sessions.open(manager, user);
    });
  }

  /** A staff account, created by an admin. */
  async createStaff(
    email: string,
    password: string,
    role: StaffRole,
    actor: Actor,
    adminId: string | null,
  ): Promise<User> {
    const passwordHash = await this.hasher.hash(password);
    return this.dataSource.transaction(async (manager) => {
      const user = await this.insert(manager, email, passwordHash, role, adminId);
      await this.audit.record(manager, actor, 'user.create', `user:${user.id}`, {
        email: user.email,
        role,
      });
      return user;
    });
  }

  /** Email and password to a session; every failure looks the same. */
  async signIn(email: string, password: string, requestId?: string): Promise<Session> {
    const user = await this.dataSource
      .getRepository(User)
      .findOneBy({ email: normaliseEmail(email) });
    const matches = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !matches || user.status !== 'active') throw IdentityError.invalidCredentials();
    return this.dataSource.transaction(async (manager) => {
      await this.audit.record(
        manager,
        userActor(user.id, user.role, requestId),
        'auth.sign-in',
        `user:${user.id}`,
        {
          method: 'password',
        },
      );
      return this.sessions.open(manager, user);
    });
  }

  /** Changes the caller's password and ends every session (a fresh one is returned). */
  async changePassword(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<Session> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: principal.userId });
    if (!user || !(await this.hasher.verify(user.passwordHash, currentPassword)))
      throw IdentityError.invalidCredentials();
    const passwordHash = await this.hasher.hash(newPassword);
    return this.dataSource.transaction(async (manager) => {
      await manager.update(User, { id: user.id }, { passwordHash });
      await this.sessions.revokeAll(manager, user.id);
      await this.audit.record(manager, actor, 'user.change-password', `user:${user.id}`, {});
      const fresh = await manager.findOneByOrFail(User, { id: user.id });
      return this.sessions.open(manager, fresh);
    });
  }

  /**
   * The role and session version of the active user behind an access token; a disabled or
   * deleted account is refused. Runs on every request, so as a prepared statement.
   */
  /**
   * The account behind a token, read afresh on every request (so that a disabled account or a
   * password change ends its sessions at once). Requests read in one turn of the event loop share
   * one query; nothing is kept from one read to the next.
   */
  async activeUser(userId: string): Promise<ActiveUser> {
    const user = await this.activeUsers.load(userId);
    if (!user) throw IdentityError.tokenInvalid();
    return user;
  }

  private readonly activeUsers = new DataLoader<string, ActiveUser | undefined>(
    async (ids) => {
      // A malformed id must not fail the others' query.
      const valid = ids.filter((id) => UUID.test(id));
      const { rows } = valid.length
        ? await pgPool(this.dataSource).query<ActiveUser>({
            name: 'identity-active-users',
            text: `SELECT id, role, session_version AS "sessionVersion" FROM app_user
                    WHERE id = ANY($1::uuid[]) AND status = 'active'`,
            values: [valid],
          })
        : { rows: [] };
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id));
    },
    { cache: false, maxBatchSize: 256, batchScheduleFn: (load) => setImmediate(load) },
  );

  async findById(id: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!user) throw IdentityError.userNotFound();
    return user;
  }

  list(role?: UserRole): Promise<User[]> {
    return this.dataSource.getRepository(User).find({
      where: role ? { role } : {},
      order: { createdAt: 'ASC' },
      take: 1000,
    });
  }

  /**
   * Disables an account and ends its sessions; its API keys stop working with it, and an
   * investor's wallets leave the IdentityRegistry (the registry sync treats a disabled account as
   * unverified).
   */
  async disable(id: string, actor: Actor, adminId: string): Promise<User> {
    if (id === adminId) throw IdentityError.selfDisable();
    const user = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw IdentityError.userNotFound();
      if (user.status === 'disabled') return user;
      await manager.update(User, { id }, { status: 'disabled' });
      await this.sessions.revokeAll(manager, id);
      await this.audit.record(manager, actor, 'user.disable', `user:${id}`, {
        before: 'active',
        after: 'disabled',
      });
      return manager.findOneByOrFail(User, { id });
    });
    if (user.role === 'investor')
      await this.jobs.enqueue(
        'kyc.sync-registry',
        { userId: id },
        { jobId: `kyc-sync-registry-disable-${id}-${Date.now()}` },
      );
    return user;
  }

  private async insert(
    manager: EntityManager,
    email: string,
    passwordHash: string,
    role: UserRole,
    createdBy: string | null,
  ): Promise<User> {
    const user = manager.create(User, {
      email: normaliseEmail(email),
      passwordHash,
      role,
      createdBy,
    });
    try {
      await manager.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw IdentityError.emailTaken();
      throw error;
    }
    return user;
  }
}
