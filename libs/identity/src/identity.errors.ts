import { DomainError } from '@gpu/common';

export enum IdentityErrorCode {
  INVALID_CREDENTIALS = 'AUTH_INVALID_CREDENTIALS',
  TOKEN_INVALID = 'AUTH_TOKEN_INVALID',
  REFRESH_TOKEN_INVALID = 'AUTH_REFRESH_TOKEN_INVALID',
  AUTHENTICATION_REQUIRED = 'AUTH_REQUIRED',
  ROLE_FORBIDDEN = 'AUTH_ROLE_FORBIDDEN',
  API_KEY_SCOPE_MISSING = 'AUTH_API_KEY_SCOPE_MISSING',
  EMAIL_TAKEN = 'USER_EMAIL_TAKEN',
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  SELF_DISABLE = 'USER_CANNOT_DISABLE_SELF',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  SIWE_MALFORMED = 'SIWE_MESSAGE_MALFORMED',
  SIWE_NONCE_INVALID = 'SIWE_NONCE_INVALID',
  SIWE_DOMAIN_MISMATCH = 'SIWE_DOMAIN_MISMATCH',
  SIWE_URI_MISMATCH = 'SIWE_URI_MISMATCH',
  SIWE_STATEMENT_MISMATCH = 'SIWE_STATEMENT_MISMATCH',
  SIWE_CHAIN_MISMATCH = 'SIWE_CHAIN_MISMATCH',
  SIWE_EXPIRED = 'SIWE_EXPIRED',
  SIWE_NOT_YET_VALID = 'SIWE_NOT_YET_VALID',
  SIWE_SIGNATURE_INVALID = 'SIWE_SIGNATURE_INVALID',
  WALLET_ALREADY_LINKED = 'WALLET_ALREADY_LINKED',
  WALLET_NOT_LINKED = 'WALLET_NOT_LINKED',
}

export class IdentityError extends DomainError {
  /** Wrong email or password, unknown or disabled account: one answer for all, so none is revealed. */
  static invalidCredentials(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.INVALID_CREDENTIALS,
      'unauthorized',
      'The credentials are not valid',
    );
  }

  static tokenInvalid(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.TOKEN_INVALID,
      'unauthorized',
      'The access token or API key is invalid, expired or revoked',
    );
  }

  static refreshTokenInvalid(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.REFRESH_TOKEN_INVALID,
      'unauthorized',
      'The refresh token is invalid, expired or revoked; sign in again',
    );
  }

  static authenticationRequired(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.AUTHENTICATION_REQUIRED,
      'unauthorized',
      'Sign in first: send an access token (Authorization: Bearer) or an API key (X-Api-Key)',
    );
  }

  static roleForbidden(role: string): IdentityError {
    return new IdentityError(
      IdentityErrorCode.ROLE_FORBIDDEN,
      'forbidden',
      `The ${role} role may not do this`,
    );
  }

  static apiKeyScopeMissing(scope: string | undefined): IdentityError {
    return new IdentityError(
      IdentityErrorCode.API_KEY_SCOPE_MISSING,
      'forbidden',
      scope ? `The API key lacks the ${scope} scope` : 'API keys may not call this route',
      scope ? { scope } : undefined,
    );
  }

  static emailTaken(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.EMAIL_TAKEN,
      'conflict',
      'An account with this email exists',
    );
  }

  static userNotFound(): IdentityError {
    return new IdentityError(IdentityErrorCode.USER_NOT_FOUND, 'not_found', 'No such user');
  }

  static selfDisable(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.SELF_DISABLE,
      'conflict',
      'An admin cannot disable their own account',
    );
  }

  static apiKeyNotFound(): IdentityError {
    return new IdentityError(IdentityErrorCode.API_KEY_NOT_FOUND, 'not_found', 'No such API key');
  }

  static siwe(
    code:
      | IdentityErrorCode.SIWE_MALFORMED
      | IdentityErrorCode.SIWE_NONCE_INVALID
      | IdentityErrorCode.SIWE_DOMAIN_MISMATCH
      | IdentityErrorCode.SIWE_URI_MISMATCH
      | IdentityErrorCode.SIWE_STATEMENT_MISMATCH
      | IdentityErrorCode.SIWE_CHAIN_MISMATCH
      | IdentityErrorCode.SIWE_EXPIRED
      | IdentityErrorCode.SIWE_NOT_YET_VALID
      | IdentityErrorCode.SIWE_SIGNATURE_INVALID,
    message: string,
  ): IdentityError {
    return new IdentityError(code, 'invalid', message);
  }

  static walletAlreadyLinked(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.WALLET_ALREADY_LINKED,
      'conflict',
      'This wallet is already linked to an account',
    );
  }

  static walletNotLinked(): IdentityError {
    return new IdentityError(
      IdentityErrorCode.WALLET_NOT_LINKED,
      'unauthorized',
      'No active investor account has linked this wallet',
    );
  }
}
