import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from './job-catalog';

export const JOB_HANDLER_METADATA = 'gpu:job-handler';

/** Marks a provider as the one handler of a job name. */
export const JobHandler = (name: JobName): ClassDecorator =>
  SetMetadata(JOB_HANDLER_METADATA, name);

export interface JobHandlerOf<N extends JobName> {
  handle(payload: JobPayloads[N], job: Job<JobPayloads[N]>): Promise<unknown>;
}

export class HandlerCoverageError extends Error {
  constructor(
    readonly missing: string[],
    readonly duplicated: string[],
    readonly unknown: string[],
  ) {
    const parts = [
      missing.length ? `jobs without a handler: ${missing.join(', ')}` : '',
      duplicated.length ? `jobs with several handlers: ${duplicated.join(', ')}` : '',
      unknown.length ? `handlers of unknown jobs: ${unknown.join(', ')}` : '',
    ];
    super(`Every job needs exactly one handler; ${parts.filter(Boolean).join('; ')}`);
    this.name = 'HandlerCoverageError';
  }
}

/** Throws unless every job name has exactly one handler and every handler a known job. */
export function assertHandlerCoverage(
  jobNames: readonly string[],
  handlerNames: readonly string[],
): void {
  const counts = new Map<string, number>();
  for (const name of handlerNames) counts.set(name, (counts.get(name) ?? 0) + 1);
  const missing = jobNames.filter((name) => !counts.has(name));
  const duplicated = jobNames.filter((name) => (counts.get(name) ?? 0) > 1);
  const unknown = [...counts.keys()].filter((name) => !jobNames.includes(name));
  if (missing.length || duplicated.length || unknown.length) {
    throw new HandlerCoverageError(missing, duplicated, unknown);
  }
}
