import type { Session, SiweChallenge } from '@gpu/identity';
import type { SessionResponse, SiweChallengeResponse } from './dto/auth.dto';

export function toSessionResponse(session: Session): SessionResponse {
  return { ...session, refreshExpiresAt: session.refreshExpiresAt.toISOString() };
}

export function toChallengeResponse(challenge: SiweChallenge): SiweChallengeResponse {
  return {
    ...challenge,
    issuedAt: challenge.issuedAt.toISOString(),
    expirationTime: challenge.expirationTime.toISOString(),
  };
}
