import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id baseline: 19 MiB of memory, 2 passes, 1 lane. */
const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** A hash of no password anyone knows: checked when the account does not exist, so timing tells nothing. */
const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$V0hLJSQud3m71e/7Ut6aDw$1yXHXW0h3Pgxa1ZNk+W2rXw5wcBIhMWkHH7frvkV5fw';

/** Passwords hashed with argon2id; the PHC string keeps algorithm, parameters and salt. */
@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** Constant-time inside argon2; a missing hash is checked against a decoy so it takes as long. */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    try {
      const matches = await verify(passwordHash ?? DECOY_HASH, password);
      return matches && passwordHash !== undefined;
    } catch {
      return false;
    }
  }
}
