import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Environment } from './load-config';

/**
 * Reads KEY=value files (later files win) under the real environment, which wins over all.
 * Used by the project's scripts to give the apps their settings; the apps themselves only
 * read the environment they are started with.
 */
export function environmentWithFiles(files: string[], env: Environment): Environment {
  const merged: Environment = {};
  for (const file of files) {
    if (existsSync(file)) Object.assign(merged, parseEnv(readFileSync(file, 'utf8')));
  }
  return { ...merged, ...env };
}

/** What the project's scripts run with: `.env.example` defaults, then `.env`, then the environment. */
export function scriptEnvironment(env: Environment): Environment {
  return environmentWithFiles(['.env.example', '.env'], env);
}
