import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@gpu/common';

/** A path id that is not a UUID is a 400 with a stable code, never a database error. */
export const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new DomainError('INVALID_ID', 'invalid', 'The id in the path must be a UUID'),
});
