/** Who does something, as the audit log records it. */
export interface Actor {
  /** `user:<uuid>`, or a machine identity such as `worker`. */
  id: string;
  role: string;
  requestId?: string | null;
}

/** The worker's scheduled jobs act as this machine identity. */
export const WORKER_ACTOR: Actor = { id: 'worker', role: 'system' };

/** Webhooks of an outside provider act as `provider:<name>`. */
export function providerActor(name: string, requestId?: string | null): Actor {
  return { id: `provider:${name}`, role: 'provider', requestId };
}

export function userActor(userId: string, role: string, requestId?: string | null): Actor {
  return { id: `user:${userId}`, role, requestId };
}
