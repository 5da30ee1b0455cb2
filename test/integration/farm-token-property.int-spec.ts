import * as fc from 'fast-check';
import {
  type BaseContract,
  type ContractTransactionResponse,
  JsonRpcProvider,
  Wallet,
  isError,
} from 'ethers';
import {
  COUNTRY,
  type ContractsFixture,
  YEAR,
  chainNow,
  createFarmToken,
  fundedWallet,
  increaseTime,
  investorId,
  revertTo,
  send,
  snapshot,
  startContractsFixture,
} from '../support/contracts-fixture';
import { type Identity, OK, TokenModel, type Verdict, refusalCode } from '../support/token-model';
import type { GpuFarmToken, IdentityRegistry } from '../../libs/chain/src/generated';

/**
 * Random sequences of token operations, agent actions and rule changes, run on the chain and on a
 * plain TypeScript model of the rules (test/support/token-model.ts). Every step must get the same
 * verdict (success, or the same custom error with the same arguments), and transfers the same
 * canTransfer/transferRefusal answer; after every step the balances, frozen amounts, wallet
 * freezes, claimed revenue (moved by recovery), canSend/canReceive, holder count, total supply
 * (= sum of balances) and rules must equal the model's.
 *
 * Every run starts from the same deployed state (evm_snapshot/evm_revert). Sequences include
 * self-transfers and zero amounts.
 */

jest.setTimeout(360_000);

const RUNS = 30;
/** Its 30 runs reach every operation and every rule the coverage check requires. */
const DEFAULT_SEED = 20261127;
/** Seconds per time step; every time boundary (lock-up end, KYC expiry) lies inside a step. */
const STEP = 1000;
const COUNTRIES = [COUNTRY.DE, COUNTRY.FR, COUNTRY.US, COUNTRY.IS];
const INITIAL_COUNTRIES = [COUNTRY.DE, COUNTRY.FR, COUNTRY.IS];
const LOCKUP_FOR = STEP / 2;

interface Profile {
  name: string;
  investor: string;
  country: number;
  /** KYC validity in seconds from the start; none: not registered at the start. */
  kycFor?: number;
}

/** Two investors with two wallets each, a KYC that expires, a country not allowed, an unregistered wallet. */
const PROFILES: Profile[] = [
  { name: 'alice', investor: 'alice', country: COUNTRY.DE, kycFor: YEAR },
  { name: 'alice2', investor: 'alice', country: COUNTRY.DE, kycFor: YEAR },
  { name: 'bob', investor: 'bob', country: COUNTRY.FR, kycFor: YEAR },
  { name: 'bob2', investor: 'bob', country: COUNTRY.FR, kycFor: YEAR },
  { name: 'carol', investor: 'carol', country: COUNTRY.IS, kycFor: 1.5 * STEP },
  { name: 'dave', investor: 'dave', country: COUNTRY.US, kycFor: YEAR },
  { name: 'erin', investor: 'erin', country: COUNTRY.DE },
];

/**
 * An amount: fixed, or taken from the model when the step runs, so that sequences reach the
 * balance-dependent rules: a percentage of the account's balance rounded up, or the account's
 * unfrozen amount plus 0 or 1.
 */
type Amount = bigint | { percentOfBalance: number } | { unfrozenPlus: 0n | 1n };

/**
 * A wallet: `wallet`, or when `prefer` is set the (wallet mod n)-th of the n wallets the action
 * prefers (senders: wallets holding tokens; recovery targets: other wallets of the same investor;
 * registrations: unregistered wallets), so that sequences get past the first checks often.
 */
interface Pick {
  wallet: number;
  prefer: boolean;
}

type Action =
  | { op: 'mint'; to: number; amount: bigint }
  | { op: 'transfer'; from: Pick; to: number; self: boolean; amount: Amount }
  | { op: 'forcedTransfer'; from: Pick; to: number; self: boolean; amount: Amount }
  | { op: 'burn'; from: Pick; amount: Amount }
  | { op: 'setFrozenTokens'; account: Pick; amount: Amount }
  | { op: 'setWalletFrozen'; account: number; frozen: boolean }
  | { op: 'recoverWallet'; lost: Pick; target: Pick }
  | { op: 'pause' }
  | { op: 'unpause' }
  | { op: 'setMaxBalance'; value: bigint }
  | { op: 'setMaxHolders'; value: number }
  | { op: 'setCountryAllowed'; country: number; allowed: boolean }
  | { op: 'relock' }
  | { op: 'removeIdentity'; wallet: number }
  | { op: 'registerIdentity'; wallet: Pick }
  | { op: 'updateIdentity'; wallet: number; country: number }
  | { op: 'advanceTime' };

const walletIndex = fc.integer({ min: 0, max: PROFILES.length - 1 });
const pick: fc.Arbitrary<Pick> = fc.record({
  wallet: walletIndex,
  prefer: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, fc.constant(false)),
});
const amount: fc.Arbitrary<Amount> = fc.oneof(
  { arbitrary: fc.bigInt({ min: 1n, max: 120n }), weight: 2 },
  { arbitrary: fc.constant(0n), weight: 1 },
  { arbitrary: fc.record({ percentOfBalance: fc.integer({ min: 1, max: 100 }) }), weight: 5 },
  { arbitrary: fc.record({ unfrozenPlus: fc.constantFrom(0n as const, 1n as const) }), weight: 2 },
);
const frozenAmount: fc.Arbitrary<Amount> = fc.oneof(
  fc.bigInt({ min: 0n, max: 40n }),
  fc.record({ percentOfBalance: fc.integer({ min: 0, max: 100 }) }),
);
const op = <T extends Action['op']>(name: T) => fc.constant(name);
/** Now and then a wallet sends to itself. */
const self = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, fc.constant(true));

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: op('mint'),
      to: walletIndex,
      amount: fc.bigInt({ min: 1n, max: 60n }),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({ op: op('transfer'), from: pick, to: walletIndex, self, amount }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: op('forcedTransfer'), from: pick, to: walletIndex, self, amount }),
  },
  { weight: 3, arbitrary: fc.record({ op: op('burn'), from: pick, amount }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: op('setFrozenTokens'), account: pick, amount: frozenAmount }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: op('setWalletFrozen'), account: walletIndex, frozen: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ op: op('recoverWallet'), lost: pick, target: pick }) },
  { weight: 1, arbitrary: fc.record({ op: op('pause') }) },
  { weight: 5, arbitrary: fc.record({ op: op('unpause') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: op('setMaxBalance'),
      value: fc.constantFrom(0n, 40n, 80n, 150n),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: op('setMaxHolders'), value: fc.constantFrom(0, 2, 3) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: op('setCountryAllowed'),
      country: fc.constantFrom(...COUNTRIES),
      allowed: fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, fc.constant(false)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: op('relock') }) },
  { weight: 1, arbitrary: fc.record({ op: op('removeIdentity'), wallet: walletIndex }) },
  { weight: 2, arbitrary: fc.record({ op: op('registerIdentity'), wallet: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: op('updateIdentity'),
      wallet: walletIndex,
      country: fc.constantFrom(...COUNTRIES),
    }),
  },
  { weight: 7, arbitrary: fc.record({ op: op('advanceTime') }) },
);

/** A verdict as text, with wallet addresses replaced by their names. */
function show(verdict: Verdict, names: ReadonlyMap<string, string> = new Map()): string {
  if (verdict.ok) return 'ok';
  return `${verdict.error}(${verdict.args.map((arg) => names.get(String(arg)) ?? String(arg)).join(', ')})`;
}

describe('GpuFarmToken against the TypeScript model (property)', () => {
  let f: ContractsFixture;
  /** Without the 10 ms batching delay of the fixture's provider, which would triple the run time. */
  let provider: JsonRpcProvider;
  let token: GpuFarmToken;
  let registry: IdentityRegistry;
  let wallets: Wallet[];
  let at: string[];
  let names: Map<string, string>;
  let start: number;
  let identities: Record<string, Identity>;
  let base: string;

  beforeAll(async () => {
    f = await startContractsFixture();
    provider = new JsonRpcProvider(f.anvil.rpcUrl, undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      batchStallTime: 0,
    });
    const funded = [...f.investors];
    wallets = [];
    for (const profile of PROFILES) {
      const w = funded.shift() ?? (await fundedWallet(f.provider, `property:${profile.name}`));
      wallets.push(new Wallet(w.privateKey, provider));
    }
    at = wallets.map((w) => w.address);
    names = new Map(at.map((address, i) => [address, PROFILES[i].name]));
    start = await chainNow(f.provider);
    const agent = new Wallet(f.agent.privateKey, provider);
    token = (
      await createFarmToken(f, {
        farm: 'property',
        lockupEnd: start + LOCKUP_FOR,
        countries: INITIAL_COUNTRIES,
      })
    ).connect(agent);
    registry = f.registry.connect(agent);
    identities = {};
    for (const [i, profile] of PROFILES.entries()) {
      if (profile.kycFor === undefined) continue;
      const identity: Identity = {
        investorId: investorId(profile.investor),
        country: profile.country,
        kycExpiry: start + profile.kycFor,
      };
      await send(
        registry.registerIdentity(at[i], identity.investorId, identity.country, identity.kycExpiry),
      );
      identities[at[i]] = identity;
    }
    base = await snapshot(provider);
  });

  afterAll(async () => {
    provider?.destroy();
    await f?.stop();
  });

  /** Runs a transaction and returns the chain's verdict, decoding custom errors with `contract`. */
  async function verdictOf(
    tx: () => Promise<ContractTransactionResponse>,
    contract: BaseContract = token,
  ): Promise<Verdict> {
    try {
      await send(tx());
      return { ok: true };
    } catch (error) {
      if (!isError(error, 'CALL_EXCEPTION') || !error.data) throw error;
      const decoded = contract.interface.parseError(error.data);
      if (!decoded) throw new Error(`undecodable revert data ${error.data}`);
      return { ok: false, error: decoded.name, args: [...decoded.args] };
    }
  }

  /** The wallet `p` stands for among the preferred ones; never `except` (no self-transfers). */
  function resolve(p: Pick, preferred: (i: number) => boolean, except = -1): number {
    const candidates = at.map((_, i) => i).filter((i) => i !== except && preferred(i));
    const wallet =
      p.prefer && candidates.length > 0 ? candidates[p.wallet % candidates.length] : p.wallet;
    return wallet === except ? (wallet + 1) % at.length : wallet;
  }

  function resolveSender(model: TokenModel, p: Pick, receiver = -1): number {
    return resolve(p, (i) => model.balanceOf(at[i]) > 0n, receiver);
  }

  function resolveAmount(model: TokenModel, a: Amount, account: number, min: bigint): bigint {
    let value: bigint;
    if (typeof a === 'bigint') value = a;
    else if ('percentOfBalance' in a) {
      value = (model.balanceOf(at[account]) * BigInt(a.percentOfBalance) + 99n) / 100n;
    } else value = model.unfrozenOf(at[account]) + a.unfrozenPlus;
    return value < min ? min : value;
  }

  interface Outcome {
    call: string;
    chain: Verdict;
    model: Verdict;
  }

  /** Applies one action to the chain and to the model. */
  async function step(model: TokenModel, a: Action): Promise<Outcome> {
    const name = (i: number) => PROFILES[i].name;
    switch (a.op) {
      case 'mint':
        return {
          call: `mint(${name(a.to)}, ${a.amount})`,
          chain: await verdictOf(() => token.mint(at[a.to], a.amount)),
          model: model.mint(at[a.to], a.amount),
        };
      case 'transfer': {
        const from = resolveSender(model, a.from, a.self ? -1 : a.to);
        const to = a.self ? from : a.to;
        const amount = resolveAmount(model, a.amount, from, 0n);
        const call = `transfer(${name(from)} -> ${name(to)}, ${amount})`;
        const expected = model.check('transfer', at[from], at[to], amount);
        const [canTransfer, refusal] = await Promise.all([
          token.canTransfer(at[from], at[to], amount),
          token.transferRefusal(at[from], at[to], amount),
        ]);
        const code = refusalCode(expected);
        if (canTransfer !== (code === 0) || Number(refusal) !== code) {
          throw new Error(
            `${call}: canTransfer ${canTransfer}, transferRefusal ${refusal}; the model expects ${show(expected, names)}, refusal ${code}`,
          );
        }
        return {
          call,
          chain: await verdictOf(() => token.connect(wallets[from]).transfer(at[to], amount)),
          model: model.transfer(at[from], at[to], amount),
        };
      }
      case 'forcedTransfer': {
        const from = resolveSender(model, a.from, a.self ? -1 : a.to);
        const to = a.self ? from : a.to;
        const amount = resolveAmount(model, a.amount, from, 0n);
        return {
          call: `forcedTransfer(${name(from)} -> ${name(to)}, ${amount})`,
          chain: await verdictOf(() => token.forcedTransfer(at[from], at[to], amount)),
          model: model.forcedTransfer(at[from], at[to], amount),
        };
      }
      case 'burn': {
        const from = resolveSender(model, a.from);
        const amount = resolveAmount(model, a.amount, from, 1n);
        return {
          call: `burn(${name(from)}, ${amount})`,
          chain: await verdictOf(() => token.burn(at[from], amount)),
          model: model.burn(at[from], amount),
        };
      }
      case 'setFrozenTokens': {
        const account = resolveSender(model, a.account);
        const amount = resolveAmount(model, a.amount, account, 0n);
        return {
          call: `setFrozenTokens(${name(account)}, ${amount})`,
          chain: await verdictOf(() => token.setFrozenTokens(at[account], amount)),
          model: model.setFrozenTokens(at[account], amount),
        };
      }
      case 'setWalletFrozen':
        return {
          call: `setWalletFrozen(${name(a.account)}, ${a.frozen})`,
          chain: await verdictOf(() => token.setWalletFrozen(at[a.account], a.frozen)),
          model: model.setWalletFrozen(at[a.account], a.frozen),
        };
      case 'recoverWallet': {
        const lost = resolveSender(model, a.lost);
        const investor = PROFILES[lost].investor;
        const target = resolve(a.target, (i) => PROFILES[i].investor === investor, lost);
        return {
          call: `recoverWallet(${name(lost)} -> ${name(target)})`,
          chain: await verdictOf(() => token.recoverWallet(at[lost], at[target])),
          model: model.recoverWallet(at[lost], at[target]),
        };
      }
      case 'pause':
        return {
          call: 'pause()',
          chain: await verdictOf(() => token.pause()),
          model: model.pause(),
        };
      case 'unpause':
        return {
          call: 'unpause()',
          chain: await verdictOf(() => token.unpause()),
          model: model.unpause(),
        };
      case 'setMaxBalance':
        return {
          call: `setMaxBalance(${a.value})`,
          chain: await verdictOf(() => token.setMaxBalance(a.value)),
          model: model.setMaxBalance(a.value),
        };
      case 'setMaxHolders':
        return {
          call: `setMaxHolders(${a.value})`,
          chain: await verdictOf(() => token.setMaxHolders(a.value)),
          model: model.setMaxHolders(a.value),
        };
      case 'setCountryAllowed':
        return {
          call: `setCountriesAllowed([${a.country}], ${a.allowed})`,
          chain: await verdictOf(() => token.setCountriesAllowed([a.country], a.allowed)),
          model: model.setCountryAllowed(a.country, a.allowed),
        };
      case 'relock': {
        const lockupEnd = model.now + STEP / 2;
        return {
          call: `setLockupEnd(now + ${STEP / 2})`,
          chain: await verdictOf(() => token.setLockupEnd(lockupEnd)),
          model: model.setLockupEnd(lockupEnd),
        };
      }
      case 'removeIdentity':
        return {
          call: `registry.batchRemoveIdentity([${name(a.wallet)}])`,
          chain: await verdictOf(() => registry.batchRemoveIdentity([at[a.wallet]]), registry),
          model: model.removeIdentity(at[a.wallet]),
        };
      case 'registerIdentity': {
        const w = resolve(a.wallet, (i) => !model.identities.has(at[i]));
        const profile = PROFILES[w];
        const identity: Identity = {
          investorId: investorId(profile.investor),
          country: profile.country,
          kycExpiry: model.now + YEAR,
        };
        const tx = () =>
          registry.registerIdentity(
            at[w],
            identity.investorId,
            identity.country,
            identity.kycExpiry,
          );
        return {
          call: `registry.registerIdentity(${profile.name}, ${profile.investor}, ${profile.country})`,
          chain: await verdictOf(tx, registry),
          model: model.registerIdentity(at[w], identity),
        };
      }
      case 'updateIdentity': {
        const expiry = model.now + YEAR;
        return {
          call: `registry.batchUpdateIdentity([${name(a.wallet)}], [${a.country}])`,
          chain: await verdictOf(
            () => registry.batchUpdateIdentity([at[a.wallet]], [a.country], [expiry]),
            registry,
          ),
          model: model.updateIdentity(at[a.wallet], a.country, expiry),
        };
      }
      case 'advanceTime':
        await increaseTime(provider, STEP);
        model.advanceTime(STEP);
        return { call: `advanceTime(${STEP})`, chain: OK, model: OK };
    }
  }

  /** Everything observable on the chain, and the same read from the model. */
  async function observe(model: TokenModel): Promise<{ chain: unknown; model: unknown }> {
    const perWallet = at.map((w) =>
      Promise.all([
        token.balanceOf(w),
        token.getFrozenTokens(w),
        token.isWalletFrozen(w),
        token.claimedRevenueOf(w),
        token.canSend(w),
        token.canReceive(w),
      ]),
    );
    const [accounts, totalSupply, rules] = await Promise.all([
      Promise.all(perWallet),
      token.totalSupply(),
      token.rules(),
    ]);
    return {
      chain: {
        accounts: accounts.map(
          ([balance, frozen, walletFrozen, claimed, canSend, canReceive], i) => ({
            wallet: PROFILES[i].name,
            balance,
            frozen,
            walletFrozen,
            claimed,
            canSend,
            canReceive,
          }),
        ),
        totalSupply,
        sumOfBalances: accounts.reduce((sum, [balance]) => sum + balance, 0n),
        rules: [...rules],
      },
      model: {
        accounts: at.map((w, i) => ({
          wallet: PROFILES[i].name,
          balance: model.balanceOf(w),
          frozen: model.frozenOf(w),
          walletFrozen: model.isWalletFrozen(w),
          claimed: model.claimedOf(w),
          canSend: model.canSend(w),
          canReceive: model.canReceive(w),
        })),
        totalSupply: model.totalSupply(),
        sumOfBalances: model.totalSupply(),
        // maxBalance, maxHolders, holderCount (wallets with a balance), lockupEnd, paused
        rules: [
          model.maxBalance,
          BigInt(model.maxHolders),
          BigInt(model.holderCount()),
          BigInt(model.lockupEnd),
          model.paused,
        ],
      },
    };
  }

  it(`gives the model's verdicts and state for random sequences (${RUNS} runs)`, async () => {
    let runs = 0;
    let steps = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 30, maxLength: 60 }), async (actions) => {
        await revertTo(provider, base);
        base = await snapshot(provider);
        runs++;
        const model = new TokenModel({
          allowedCountries: INITIAL_COUNTRIES,
          lockupEnd: start + LOCKUP_FOR,
          now: start,
          identities,
        });
        const trace: string[] = [];
        const fail = (message: string) =>
          new Error(`${message}\nsteps so far:\n${trace.join('\n')}`);
        for (const [i, a] of actions.entries()) {
          let outcome: Outcome;
          try {
            outcome = await step(model, a);
          } catch (error) {
            throw fail(`step ${i} ${fc.stringify(a)}: ${(error as Error).message}`);
          }
          const { call, chain, model: expected } = outcome;
          trace.push(`  ${i}. ${call} -> ${show(chain, names)}`);
          if (show(chain) !== show(expected)) {
            throw fail(
              `step ${i} ${call}: the chain says ${show(chain, names)}, the model ${show(expected, names)}`,
            );
          }
          const key = `${a.op}: ${chain.ok ? 'ok' : chain.error}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          steps++;

          const state = await observe(model);
          try {
            expect(state.chain).toEqual(state.model);
          } catch (error) {
            throw fail(`the state differs after step ${i} ${call}\n${(error as Error).message}`);
          }
          // The model's clock must stay well inside the step it believes it is in.
          const drift = Math.abs((await chainNow(provider)) - model.now);
          if (drift > STEP / 4) throw fail(`the chain clock is ${drift} s away from the model's`);
        }
      }),
      // No shrinking: every attempt replays a whole sequence on the chain (minutes); the failure
      // message lists the steps up to the failing one instead.
      {
        numRuns: RUNS,
        // A fixed seed by default, so that the coverage check below cannot pass or fail by luck;
        // PROPERTY_SEED=<seed> replays a failure report's run or explores other sequences.
        seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : DEFAULT_SEED,
        endOnFailure: true,
        interruptAfterTimeLimit: 300_000,
        markInterruptAsFailure: true,
      },
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);

    // The sequences get through every kind of operation and reach every rule.
    const reached = (outcome: string) => [...seen.keys()].some((k) => k.endsWith(outcome));
    const required = [
      'transfer: ok',
      'mint: ok',
      'forcedTransfer: ok',
      'burn: ok',
      'recoverWallet: ok',
      ': TokenPaused',
      ': SenderNotVerified',
      ': SenderFrozen',
      ': ReceiverNotVerified',
      ': ReceiverFrozen',
      ': CountryNotAllowed',
      ': LockUpActive',
      ': ERC7943InsufficientUnfrozenBalance',
      ': MaxBalanceExceeded',
      ': MaxHoldersExceeded',
      ': ERC20InsufficientBalance',
      ': NotSameInvestor',
    ];
    console.log(
      `${runs} runs, ${steps} steps:\n${[...seen.entries()]
        .sort()
        .map(([k, n]) => `  ${k} ${n}`)
        .join('\n')}`,
    );
    expect(required.filter((outcome) => !reached(outcome))).toEqual([]);
  });
});
