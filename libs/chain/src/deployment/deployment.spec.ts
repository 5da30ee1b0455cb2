import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CONTRACT_NAMES,
  type Deployment,
  readDeploymentFile,
  writeDeploymentFile,
} from './deployment';

const sample = (): Deployment => ({
  chainId: 31337,
  deployedAtBlock: 1,
  deployer: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  createdAt: '2025-01-01T00:00:00.000Z',
  mockStablecoin: true,
  contracts: Object.fromEntries(
    CONTRACT_NAMES.map((name, i) => [
      name,
      {
        address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
        blockNumber: i + 1,
        txHash: `0x${'ab'.repeat(32)}`,
      },
    ]),
  ) as Deployment['contracts'],
});

describe('deployment file', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployment-spec-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips through a new nested folder and leaves no temp file', () => {
    const file = path.join(dir, 'nested', 'local.json');

    writeDeploymentFile(file, sample());

    expect(readDeploymentFile(file)).toEqual(sample());
    expect(fs.readdirSync(path.dirname(file))).toEqual(['local.json']);
  });

  it('replaces an existing file', () => {
    const file = path.join(dir, 'local.json');
    writeDeploymentFile(file, sample());

    writeDeploymentFile(file, { ...sample(), chainId: 8453 });

    expect(readDeploymentFile(file).chainId).toBe(8453);
  });

  // Sets the field at `fieldPath` (undefined drops it from the JSON) and writes the file.
  const corrupt = (fieldPath: string[], value: unknown): string => {
    const raw = JSON.parse(JSON.stringify(sample())) as Record<string, unknown>;
    const parent = fieldPath
      .slice(0, -1)
      .reduce((obj, key) => obj[key] as Record<string, unknown>, raw);
    parent[fieldPath[fieldPath.length - 1]] = value;
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(raw));
    return file;
  };

  it.each<[string, string[], unknown]>([
    ['chainId', ['chainId'], '31337'],
    ['deployedAtBlock', ['deployedAtBlock'], 1.5],
    ['deployer', ['deployer'], '0x1234'],
    ['createdAt', ['createdAt'], 'yesterday'],
    ['mockStablecoin', ['mockStablecoin'], 'yes'],
    ['contracts', ['contracts'], []],
    ['contracts.UptimeOracle', ['contracts', 'UptimeOracle'], undefined],
    ['contracts.UptimeOracle.address', ['contracts', 'UptimeOracle', 'address'], undefined],
    ['contracts.UptimeOracle.blockNumber', ['contracts', 'UptimeOracle', 'blockNumber'], -1],
    ['contracts.UptimeOracle.txHash', ['contracts', 'UptimeOracle', 'txHash'], '0xabc'],
    ['contracts.Unknown', ['contracts', 'Unknown'], {}],
    ['(root).extra', ['extra'], true],
  ])('refuses a file with a bad %s, naming file and field', (field, fieldPath, value) => {
    const file = corrupt(fieldPath, value);

    expect(() => readDeploymentFile(file)).toThrow(`Invalid deployment file ${file}: ${field} `);
  });

  it('refuses a file that is not JSON', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "chainId": ');

    expect(() => readDeploymentFile(file)).toThrow(
      `Invalid deployment file ${file}: not valid JSON`,
    );
  });

  it('names the file when it does not exist', () => {
    const file = path.join(dir, 'missing.json');

    expect(() => readDeploymentFile(file)).toThrow(`Cannot read deployment file ${file}`);
  });

  it('does not write an invalid deployment', () => {
    const file = path.join(dir, 'out.json');

    expect(() => writeDeploymentFile(file, { ...sample(), chainId: 0 })).toThrow('chainId');
    expect(fs.existsSync(file)).toBe(false);
  });
});
