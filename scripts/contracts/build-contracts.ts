import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CONTRACTS_DIR = path.join(REPO_ROOT, 'contracts');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'artifacts');
export const GENERATED_DIR = path.join(REPO_ROOT, 'libs/chain/src/generated');

const SOLC_VERSION_PREFIX = '0.8.37+';
const HASH_FILE = path.join(ARTIFACTS_DIR, '.build-hash');
// Bump when the artifact layout or the post-processing of bindings changes.
const OUTPUT_FORMAT = 1;
const EIP170_RUNTIME_LIMIT = 24_576;

export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 20_000 },
  evmVersion: 'cancun',
  viaIR: false,
  metadata: { bytecodeHash: 'none' },
} as const;

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  compiler: { version: string; settings: typeof COMPILER_SETTINGS };
}

export interface BuiltContract {
  name: string;
  sourceName: string;
  artifactPath: string;
  bytecodeSize: number;
  deployedBytecodeSize: number;
}

export interface BuildResult {
  cached: boolean;
  hash: string;
  durationMs: number;
  contracts: BuiltContract[];
  warnings: string[];
}

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  type: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

interface SolcOutput {
  errors?: SolcMessage[];
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: unknown[];
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
      }
    >
  >;
}

/**
 * Compiles every contracts/**\/*.sol with the pinned solc-js, writes one artifact per contract
 * to artifacts/ and regenerates the ethers-v6 bindings in libs/chain/src/generated/.
 * Skips all work when the inputs hash matches the last build and the outputs exist.
 */
export async function buildContracts(options: { force?: boolean } = {}): Promise<BuildResult> {
  return withBuildLock(() => buildUnlocked(options));
}

const LOCK_DIR = path.join(REPO_ROOT, '.build-contracts.lock');
const LOCK_STALE_MS = 120_000;

/** One build at a time per checkout (parallel test runs, dev and demo share the outputs). */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const lock = fs.statSync(LOCK_DIR, { throwIfNoEntry: false });
      if (!lock) continue;
      if (Date.now() - lock.mtimeMs > LOCK_STALE_MS)
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

async function buildUnlocked(options: { force?: boolean }): Promise<BuildResult> {
  const startedAt = Date.now();
  const sources = readSources();
  const hash = inputsHash(sources);

  if (!options.force && isUpToDate(hash)) {
    const contracts = readArtifacts().map(({ artifact, file }) => summarize(artifact, file));
    return { cached: true, hash, durationMs: Date.now() - startedAt, contracts, warnings: [] };
  }

  const { artifacts, warnings } = compile(sources);

  fs.rmSync(HASH_FILE, { force: true });
  removeOldArtifacts();
  fs.rmSync(GENERATED_DIR, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });

  const contracts = artifacts.map((artifact) => {
    const file = path.join(ARTIFACTS_DIR, `${artifact.contractName}.json`);
    fs.writeFileSync(file, `${JSON.stringify(artifact, null, 2)}\n`);
    return summarize(artifact, file);
  });

  await generateBindings(contracts.map((c) => c.artifactPath));
  fs.writeFileSync(HASH_FILE, `${hash}\n`);

  return { cached: false, hash, durationMs: Date.now() - startedAt, contracts, warnings };
}

function readSources(): Map<string, string> {
  const files = listSolidityFiles(CONTRACTS_DIR);
  if (files.length === 0) throw new Error(`No Solidity sources found under ${CONTRACTS_DIR}`);
  const sources = new Map<string, string>();
  for (const file of files.sort()) {
    sources.set(toSourceName(file), fs.readFileSync(file, 'utf8'));
  }
  return sources;
}

function listSolidityFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSolidityFiles(full);
    return entry.isFile() && entry.name.endsWith('.sol') ? [full] : [];
  });
}

function toSourceName(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join('/');
}

function packageVersion(name: string): string {
  const file = path.join(REPO_ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

// Uses the solc package version (not solc.version()) so that a cached run never loads the
// compiler; the pin on the full version string is checked whenever we really compile.
function inputsHash(sources: Map<string, string>): string {
  const h = createHash('sha256');
  h.update(`format:${OUTPUT_FORMAT}\n`);
  for (const pkg of ['solc', '@openzeppelin/contracts', 'typechain', '@typechain/ethers-v6']) {
    h.update(`${pkg}@${packageVersion(pkg)}\n`);
  }
  h.update(`${JSON.stringify(COMPILER_SETTINGS)}\n`);
  for (const [name, content] of sources) {
    h.update(`${name}\n${content.length}\n${content}\n`);
  }
  return h.digest('hex');
}

function isUpToDate(hash: string): boolean {
  if (!fs.existsSync(HASH_FILE) || fs.readFileSync(HASH_FILE, 'utf8').trim() !== hash) {
    return false;
  }
  // TypeChain writes no binding for a contract without an ABI (a library of internal functions).
  const names = artifactFiles()
    .filter(
      (file) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { abi: unknown[] }).abi.length > 0,
    )
    .map((file) => path.basename(file, '.json'));
  return (
    names.length > 0 &&
    fs.existsSync(path.join(GENERATED_DIR, 'index.ts')) &&
    names.every((name) => fs.existsSync(path.join(GENERATED_DIR, `${name}.ts`)))
  );
}

function artifactFiles(): string[] {
  if (!fs.existsSync(ARTIFACTS_DIR)) return [];
  return fs
    .readdirSync(ARTIFACTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(ARTIFACTS_DIR, name));
}

function readArtifacts(): { artifact: ContractArtifact; file: string }[] {
  return artifactFiles().map((file) => ({
    file,
    artifact: JSON.parse(fs.readFileSync(file, 'utf8')) as ContractArtifact,
  }));
}

function removeOldArtifacts(): void {
  for (const file of artifactFiles()) fs.rmSync(file);
}

function summarize(artifact: ContractArtifact, file: string): BuiltContract {
  return {
    name: artifact.contractName,
    sourceName: artifact.sourceName,
    artifactPath: file,
    bytecodeSize: hexByteLength(artifact.bytecode),
    deployedBytecodeSize: hexByteLength(artifact.deployedBytecode),
  };
}

function hexByteLength(hex: string): number {
  return (hex.length - 2) / 2;
}

function loadSolc(): { version(): string; compile(input: string, callbacks: object): string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as ReturnType<typeof loadSolc>;
  const version = solc.version();
  if (!version.startsWith(SOLC_VERSION_PREFIX)) {
    throw new Error(
      `solc ${version} is installed but the build is pinned to ${SOLC_VERSION_PREFIX}*; ` +
        'run npm ci to restore the locked compiler',
    );
  }
  return solc;
}

function compile(sources: Map<string, string>): {
  artifacts: ContractArtifact[];
  warnings: string[];
} {
  const solc = loadSolc();
  const version = solc.version();
  const imported = new Map<string, string>();

  const input = {
    language: 'Solidity',
    sources: Object.fromEntries([...sources].map(([name, content]) => [name, { content }])),
    settings: {
      ...COMPILER_SETTINGS,
      outputSelection: Object.fromEntries(
        [...sources.keys()].map((name) => [
          name,
          { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
        ]),
      ),
    },
  };

  const findImports = (importPath: string): { contents: string } | { error: string } => {
    const file = resolveImport(importPath);
    if (!file) return { error: `cannot resolve import "${importPath}" from node_modules` };
    const contents = fs.readFileSync(file, 'utf8');
    imported.set(importPath, contents);
    return { contents };
  };

  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: findImports }),
  ) as SolcOutput;
  const messages = output.errors ?? [];
  const locate = (m: SolcMessage): string => {
    const loc = m.sourceLocation;
    const content = loc && (sources.get(loc.file) ?? imported.get(loc.file));
    if (!loc || content === undefined) return '';
    const before = Buffer.from(content, 'utf8').subarray(0, Math.max(loc.start, 0));
    return `${loc.file}:${before.toString('utf8').split('\n').length}: `;
  };
  const format = (m: SolcMessage): string => `${locate(m)}${m.type}: ${m.message}`;

  const errors = messages.filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `Solidity compilation failed:\n${errors.map((m) => `  ${format(m)}`).join('\n')}`,
    );
  }
  const warnings = messages.filter((m) => m.severity === 'warning').map(format);

  const artifacts: ContractArtifact[] = [];
  for (const sourceName of sources.keys()) {
    for (const [contractName, out] of Object.entries(output.contracts?.[sourceName] ?? {})) {
      const clash = artifacts.find((a) => a.contractName === contractName);
      if (clash) {
        throw new Error(
          `Contract name ${contractName} is defined in both ${clash.sourceName} and ` +
            `${sourceName}; artifact names must be unique`,
        );
      }
      artifacts.push({
        contractName,
        sourceName,
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}`,
        deployedBytecode: `0x${out.evm.deployedBytecode.object}`,
        compiler: { version, settings: COMPILER_SETTINGS },
      });
    }
  }
  for (const a of artifacts) {
    if (hexByteLength(a.deployedBytecode) > EIP170_RUNTIME_LIMIT) {
      warnings.push(`${a.sourceName}: ${a.contractName} runtime code exceeds the EIP-170 limit`);
    }
  }
  return { artifacts, warnings };
}

function resolveImport(importPath: string): string | undefined {
  if (path.isAbsolute(importPath) || importPath.split('/').includes('..')) return undefined;
  const file = path.join(REPO_ROOT, 'node_modules', importPath);
  return fs.existsSync(file) ? file : undefined;
}

async function generateBindings(artifactPaths: string[]): Promise<void> {
  const { runTypeChain } = await import('typechain');
  await runTypeChain({
    cwd: REPO_ROOT,
    filesToProcess: artifactPaths,
    allFiles: artifactPaths,
    outDir: GENERATED_DIR,
    target: 'ethers-v6',
    prettier: { singleQuote: true, trailingComma: 'all', printWidth: 100 },
  });
}
