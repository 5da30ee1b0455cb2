import type { DataSource } from 'typeorm';
import { AuditLog } from '@gpu/audit';
import { User } from '../entities/user.entity';
import { IdentityError } from '../identity.errors';
import { PasswordHasher } from '../password-hasher';
import { normaliseEmail } from '../users.service';

/** There is an admin already: further admins are created by an admin, through the API. */
export class AdminExistsError extends Error {
  constructor() {
    super('an admin exists already; further admins are created by an admin (POST /users)');
    this.name = 'AdminExistsError';
  }
}

/**
 * The first admin, for the command line (`npm run admin:create`): no hard-coded account, no
 * default password. Refused once any admin exists; two concurrent runs create one.
 */
export async function createFirstAdmin(
  dataSource: DataSource,
  email: string,
  password: string,
): Promise<User> {
  if (password.length < 12 || password.length > 128)
    throw new Error('the password must have 12 to 128 characters');
  const passwordHash = await new PasswordHasher().hash(password);
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('first-admin', 0))`);
    if (await manager.existsBy(User, { role: 'admin' })) throw new AdminExistsError();
    if (await manager.existsBy(User, { email: normaliseEmail(email) }))
      throw IdentityError.emailTaken();
    const user = manager.create(User, {
      email: normaliseEmail(email),
      passwordHash,
      role: 'admin',
      createdBy: null,
    });
    await manager.save(user);
    await new AuditLog().record(
      manager,
      { id: 'cli', role: 'system' },
      'user.create-first-admin',
      `user:${user.id}`,
      { email: user.email },
    );
    return user;
  });
}
