import { DomainError, type DomainErrorKind } from '@gpu/common';

export enum IssuanceErrorCode {
  BLOCK_NOT_INDEXED = 'BLOCK_NOT_INDEXED',
  TIME_NOT_INDEXED = 'TIME_NOT_INDEXED',
  OFFERING_NOT_FOUND = 'OFFERING_NOT_FOUND',
  OFFERING_INVALID = 'OFFERING_INVALID',
  OFFERING_FARM_NOT_TOKENIZED = 'OFFERING_FARM_NOT_TOKENIZED',
  OFFERING_EXCEEDS_SUPPLY = 'OFFERING_EXCEEDS_SUPPLY',
  OFFERING_INVALID_TRANSITION = 'OFFERING_INVALID_TRANSITION',
  OFFERING_ANOTHER_LIVE = 'OFFERING_ANOTHER_LIVE',
  OFFERING_NOT_OPEN = 'OFFERING_NOT_OPEN',
  OFFERING_SOLD_OUT = 'OFFERING_SOLD_OUT',
  OFFERING_INSUFFICIENT_REMAINING = 'OFFERING_INSUFFICIENT_REMAINING',
  ORDER_NOT_FOUND = 'ORDER_NOT_FOUND',
  ORDER_NOT_CANCELLABLE = 'ORDER_NOT_CANCELLABLE',
  ORDER_KYC_NOT_APPROVED = 'ORDER_KYC_NOT_APPROVED',
  ORDER_KYC_EXPIRED = 'ORDER_KYC_EXPIRED',
  ORDER_WALLET_NOT_LINKED = 'ORDER_WALLET_NOT_LINKED',
  ORDER_WALLET_REQUIRED = 'ORDER_WALLET_REQUIRED',
  ORDER_WALLET_NOT_VERIFIED = 'ORDER_WALLET_NOT_VERIFIED',
  ORDER_WALLET_FROZEN = 'ORDER_WALLET_FROZEN',
  ORDER_COUNTRY_NOT_ALLOWED = 'ORDER_COUNTRY_NOT_ALLOWED',
  ORDER_BELOW_MINIMUM = 'ORDER_BELOW_MINIMUM',
  ORDER_ABOVE_MAXIMUM = 'ORDER_ABOVE_MAXIMUM',
  ORDER_MAX_BALANCE_EXCEEDED = 'ORDER_MAX_BALANCE_EXCEEDED',
  ORDER_MAX_HOLDERS_EXCEEDED = 'ORDER_MAX_HOLDERS_EXCEEDED',
  IDEMPOTENCY_KEY_REQUIRED = 'IDEMPOTENCY_KEY_REQUIRED',
  IDEMPOTENCY_KEY_MISMATCH = 'IDEMPOTENCY_KEY_MISMATCH',
}

export class IssuanceError extends DomainError {
  private static of(
    code: IssuanceErrorCode,
    kind: DomainErrorKind,
    message: string,
    details?: Record<string, unknown>,
  ): IssuanceError {
    return new IssuanceError(code, kind, message, details);
  }

  static offeringNotFound(): IssuanceError {
    return this.of(IssuanceErrorCode.OFFERING_NOT_FOUND, 'not_found', 'No such offering');
  }

  static offeringInvalid(problems: string[]): IssuanceError {
    return this.of(IssuanceErrorCode.OFFERING_INVALID, 'invalid', problems.join('; '), {
      problems,
    });
  }

  static farmNotTokenized(status: string): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_FARM_NOT_TOKENIZED,
      'conflict',
      `Offerings are made of tokenized or active farms whose token is confirmed; this farm is ${status}`,
      { status },
    );
  }

  static exceedsSupply(available: bigint): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_EXCEEDS_SUPPLY,
      'conflict',
      `The token's offerings together would exceed its total fractions; ${available} are still unallocated`,
      { available: available.toString() },
    );
  }

  static invalidTransition(from: string, to: string): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_INVALID_TRANSITION,
      'conflict',
      `A ${from} offering cannot become ${to}`,
      { from, to },
    );
  }

  static anotherLive(): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_ANOTHER_LIVE,
      'conflict',
      'Another offering of this token is open; the sale contract holds one offering per token',
    );
  }

  static offeringNotOpen(status: string): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_NOT_OPEN,
      'conflict',
      'The offering does not take orders now',
      { status },
    );
  }

  static soldOut(): IssuanceError {
    return this.of(IssuanceErrorCode.OFFERING_SOLD_OUT, 'conflict', 'The offering is sold out');
  }

  static insufficientRemaining(remaining: bigint): IssuanceError {
    return this.of(
      IssuanceErrorCode.OFFERING_INSUFFICIENT_REMAINING,
      'conflict',
      `Only ${remaining} fractions are left`,
      { remaining: remaining.toString() },
    );
  }

  static orderNotFound(): IssuanceError {
    return this.of(IssuanceErrorCode.ORDER_NOT_FOUND, 'not_found', 'No such order');
  }

  static notCancellable(status: string): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_NOT_CANCELLABLE,
      'conflict',
      `A ${status} order cannot be cancelled: only unpaid reservations can`,
      { status },
    );
  }

  static kycNotApproved(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_KYC_NOT_APPROVED,
      'forbidden',
      'Orders need an approved KYC case',
    );
  }

  static kycExpired(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_KYC_EXPIRED,
      'forbidden',
      'The KYC approval has expired; renew it to order',
    );
  }

  static walletNotLinked(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_WALLET_NOT_LINKED,
      'forbidden',
      'The wallet is not one of your linked wallets',
    );
  }

  static walletRequired(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_WALLET_REQUIRED,
      'invalid',
      'You have several linked wallets: name the one that pays and receives',
    );
  }

  static walletNotVerified(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_WALLET_NOT_VERIFIED,
      'forbidden',
      'The wallet is not verified in the identity registry on chain (yet)',
    );
  }

  static walletFrozen(): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_WALLET_FROZEN,
      'forbidden',
      'The wallet is frozen for this token',
    );
  }

  static countryNotAllowed(country: number): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_COUNTRY_NOT_ALLOWED,
      'forbidden',
      "The token's rules do not allow investors of your country",
      { country },
    );
  }

  static belowMinimum(minimum: bigint): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_BELOW_MINIMUM,
      'forbidden',
      `Orders of this offering are of at least ${minimum} fractions`,
      { minimum: minimum.toString() },
    );
  }

  static aboveMaximum(maximum: bigint, alreadyOrdered: bigint): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_ABOVE_MAXIMUM,
      'forbidden',
      `An investor may order at most ${maximum} fractions of this offering; you hold ${alreadyOrdered} in orders`,
      { maximum: maximum.toString(), alreadyOrdered: alreadyOrdered.toString() },
    );
  }

  static maxBalanceExceeded(maxBalance: bigint, balanceAfter: bigint): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_MAX_BALANCE_EXCEEDED,
      'forbidden',
      `The wallet would hold ${balanceAfter} fractions; the token allows ${maxBalance}`,
      { maxBalance: maxBalance.toString(), balanceAfter: balanceAfter.toString() },
    );
  }

  static maxHoldersExceeded(maxHolders: number): IssuanceError {
    return this.of(
      IssuanceErrorCode.ORDER_MAX_HOLDERS_EXCEEDED,
      'forbidden',
      `The token allows ${maxHolders} holders and would have more`,
      { maxHolders },
    );
  }

  static blockNotIndexed(block: bigint, indexed: string | null): IssuanceError {
    return new IssuanceError(
      IssuanceErrorCode.BLOCK_NOT_INDEXED,
      'conflict',
      `Block ${block} is not indexed yet (the index has read up to ${indexed ?? 'nothing'})`,
      { block: block.toString(), indexedTo: indexed },
    );
  }

  static timeNotIndexed(time: Date, indexed: Date | null): IssuanceError {
    return new IssuanceError(
      IssuanceErrorCode.TIME_NOT_INDEXED,
      'conflict',
      `The index has not read past ${time.toISOString()} yet`,
      { time: time.toISOString(), indexedTo: indexed?.toISOString() ?? null },
    );
  }

  static idempotencyKeyRequired(): IssuanceError {
    return this.of(
      IssuanceErrorCode.IDEMPOTENCY_KEY_REQUIRED,
      'invalid',
      'Send an Idempotency-Key header (1 to 100 characters: letters, digits, "-", "_", ".", ":")',
    );
  }

  static idempotencyKeyMismatch(): IssuanceError {
    return this.of(
      IssuanceErrorCode.IDEMPOTENCY_KEY_MISMATCH,
      'unprocessable',
      'This Idempotency-Key was used with another request',
    );
  }
}
