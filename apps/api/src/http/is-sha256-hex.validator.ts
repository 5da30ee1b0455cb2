import { Matches } from 'class-validator';

/** A SHA-256 digest as 64 lower-case hex digits (documents are kept as their hash, never the file). */
export const IsSha256Hex = (): PropertyDecorator =>
  Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex digits' });
