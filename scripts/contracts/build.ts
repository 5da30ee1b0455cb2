import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { buildContracts, REPO_ROOT } from './build-contracts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
  const result = await buildContracts({ force: values.force });

  for (const warning of result.warnings) console.warn(`warning ${warning}`);
  console.table(
    result.contracts.map((c) => ({
      contract: c.name,
      source: c.sourceName,
      'init code (bytes)': c.bytecodeSize,
      'runtime code (bytes)': c.deployedBytecodeSize,
      artifact: path.relative(REPO_ROOT, c.artifactPath),
    })),
  );
  const how = result.cached ? 'up to date (inputs unchanged, use --force to rebuild)' : 'compiled';
  console.log(`${result.contracts.length} contract(s) ${how} in ${result.durationMs} ms`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
