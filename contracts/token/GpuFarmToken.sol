// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {CompactRoles} from "../access/CompactRoles.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";
import {IdentityRecords} from "../identity/IdentityRecords.sol";
import {IERC7943Fungible} from "./IERC7943Fungible.sol";
import {PackedERC20} from "./PackedERC20.sol";

/// @title GpuFarmToken
/// @notice One per GPU farm: a permissioned ERC-20 whose units (0 decimals) are fractions of the
///         farm's revenue rights. Implements ERC-7943 (uRWA).
/// @dev Deployed once as an implementation and cloned (EIP-1167) per farm by the factory, which
///      initializes the clone in the same transaction. Every movement of balances (transfer,
///      mint, burn, forced transfer, recovery) goes through `_update`, which asks `_evaluate`,
///      the same function that answers canTransfer: ONE code path for check and enforcement.
///
///      Rules, in the order they are checked (the first failing one is reported):
///      paused; sender verified and not frozen (transfer, burn); receiver verified, not frozen
///      and of an allowed country (transfer, mint, forced transfer); lock-up over (transfers
///      between investors only); amount within the sender's unfrozen balance; receiver's
///      balance within maxBalance; holder count within maxHolders (only increases are refused).
///
///      Frozen amounts never change silently: a forced transfer or a burn may move only the
///      unfrozen part; to take frozen tokens the freezer first lowers the frozen amount with
///      setFrozenTokens (its own Frozen event). A forced transfer bypasses the pause, the sender's
///      verification and wallet freeze and the lock-up, but never the receiver's checks.
///      Recovery moves a lost wallet's whole balance, its frozen state and its claimed revenue
///      to a fresh wallet of the same investor.
///
///      Revenue: each epoch the publisher posts one Merkle root over CUMULATIVE entitlements and
///      funds it in the same call; a holder claims `cumulative - alreadyClaimed` with one proof,
///      so one claim covers any number of epochs, and publishing costs the same for 10 holders or
///      10 million. Leaves follow OpenZeppelin's StandardMerkleTree (double keccak of the ABI
///      encoding) over (uint256 chainId, address token, address account, uint256 cumulative):
///      a proof is valid on one chain for one token only, and a claim pays the claimer itself.
///      Claims never exceed what was funded for this token. A frozen wallet stays entitled but
///      can claim only once unfrozen; KYC expiry does not stop a payout of what was earned (the
///      freezer freezes a wallet that must not be paid). The claimed total lives in the high half of the holder's
///      balance word (see PackedERC20).
contract GpuFarmToken is PackedERC20, CompactRoles, IERC7943Fungible {
    using IdentityRecords for uint256;
    using SafeERC20 for IERC20;

    /// @notice Mints, batch-mints and burns.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Freezes wallets and parts of balances.
    bytes32 public constant FREEZER_ROLE = keccak256("FREEZER_ROLE");
    /// @notice Performs forced transfers.
    bytes32 public constant TRANSFER_AGENT_ROLE = keccak256("TRANSFER_AGENT_ROLE");
    /// @notice Moves a lost wallet's holdings to a new wallet of the same investor.
    bytes32 public constant RECOVERY_AGENT_ROLE = keccak256("RECOVERY_AGENT_ROLE");
    /// @notice Pauses and unpauses the token.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Changes the transfer rules (countries, max balance, max holders, lock-up).
    bytes32 public constant RULES_ADMIN_ROLE = keccak256("RULES_ADMIN_ROLE");
    /// @notice Publishes and funds revenue roots.
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");

    uint256 private constant ISSUER_BIT = 1 << 1;
    uint256 private constant FREEZER_BIT = 1 << 2;
    uint256 private constant TRANSFER_AGENT_BIT = 1 << 3;
    uint256 private constant RECOVERY_AGENT_BIT = 1 << 4;
    uint256 private constant PAUSER_BIT = 1 << 5;
    uint256 private constant RULES_ADMIN_BIT = 1 << 6;
    uint256 private constant PUBLISHER_BIT = 1 << 7;
    uint256 private constant AGENT_BITS = ISSUER_BIT | FREEZER_BIT | TRANSFER_AGENT_BIT | RECOVERY_AGENT_BIT
        | PAUSER_BIT | RULES_ADMIN_BIT | PUBLISHER_BIT;

    bytes4 private constant ERC7943_INTERFACE_ID = 0x3edbb4c4;

    /// @notice The identity registry shared by every token of this implementation.
    IIdentityRegistry public immutable identityRegistry;
    /// @notice The stablecoin revenue is paid in, shared by every token of this implementation.
    IERC20 public immutable stablecoin;

    /// @dev One slot: everything a transfer reads about the token itself.
    struct Rules {
        uint128 maxBalance;
        uint40 lockupEnd;
        uint32 maxHolders;
        uint32 holderCount;
        bool paused;
        bool initialized;
    }

    /// @dev One slot: the latest epoch, what was funded in total and what was claimed in total.
    struct Revenue {
        uint32 epoch;
        uint112 totalCumulative;
        uint112 totalClaimed;
    }

    struct AccountState {
        uint128 frozenTokens;
        bool walletFrozen;
    }

    /// @notice What a farm token is created with.
    struct InitParams {
        string name;
        string symbol;
        address admin;
        /// @dev Receives every agent role (issuer, freezer, transfer and recovery agent, pauser,
        ///      rules admin, revenue publisher).
        address agent;
        /// @dev Receives the issuer role only: the primary sale contract, which mints on settlement.
        address minter;
        /// @dev Where primary sale proceeds go.
        address treasury;
        /// @dev Largest balance one wallet may reach; 0 means no limit.
        uint128 maxBalance;
        /// @dev Largest number of wallets holding a balance; 0 means no limit.
        uint32 maxHolders;
        /// @dev Transfers between investors are refused before this time.
        uint40 lockupEnd;
        /// @dev ISO 3166-1 numeric codes of the countries whose investors may hold the token.
        uint16[] allowedCountries;
    }

    enum Mode {
        Transfer,
        Mint,
        Burn,
        Forced,
        Recovery
    }

    enum Refusal {
        None,
        Paused,
        SenderNotVerified,
        SenderFrozen,
        ReceiverNotVerified,
        ReceiverFrozen,
        CountryNotAllowed,
        LockUpActive,
        InsufficientUnfrozen,
        MaxBalanceExceeded,
        MaxHoldersExceeded
    }

    Rules private _rules;
    string private _name;
    string private _symbol;
    address private _treasury;
    mapping(address account => AccountState) private _accounts;
    mapping(uint256 word => uint256 bits) private _allowedCountries;
    bytes32 private _revenueRoot;
    Revenue private _revenue;
    Mode private transient _forcedMode;

    event Paused(address account);
    event Unpaused(address account);
    event WalletFrozen(address indexed account, bool frozen);
    event CountryAllowed(uint16 indexed country, bool allowed);
    event MaxBalanceChanged(uint256 maxBalance);
    event MaxHoldersChanged(uint256 maxHolders);
    event LockupEndChanged(uint256 lockupEnd);
    event TreasuryChanged(address indexed treasury);
    /// @notice A root over cumulative entitlements up to `epoch` was published and funded.
    event RevenueRootPublished(uint32 indexed epoch, bytes32 root, uint256 totalCumulative, uint256 funded);
    /// @notice `account` has now claimed `cumulative` in total (the stablecoin's Transfer shows the payment).
    event RevenueClaimed(address indexed account, uint256 cumulative);
    event WalletRecovered(address indexed lostWallet, address indexed newWallet, bytes32 indexed investorId, uint256 amount, uint256 frozenTokens);

    error AlreadyInitialized();
    error TokenPaused();
    error SenderNotVerified(address account);
    error SenderFrozen(address account);
    error ReceiverNotVerified(address account);
    error ReceiverFrozen(address account);
    error CountryNotAllowed(address account, uint16 country);
    error LockUpActive(uint256 lockupEnd);
    error MaxBalanceExceeded(address account, uint256 balanceAfter, uint256 maxBalance);
    error MaxHoldersExceeded(uint256 holdersAfter, uint256 maxHolders);
    error FrozenAmountTooLarge(uint256 amount);
    error InvalidCountry(uint16 country);
    error InvalidAddress(address account);
    error LengthMismatch();
    error NotSameInvestor(address lostWallet, address newWallet);
    error RecoveryTargetNotEmpty(address newWallet);
    error EpochNotIncreasing(uint32 epoch, uint32 lastEpoch);
    error CumulativeDecreased(uint256 totalCumulative, uint256 previous);
    error Underfunded(uint256 required, uint256 balance, uint256 allowance);
    error InvalidProof();
    error NothingToClaim(uint256 cumulative, uint256 alreadyClaimed);
    error ExceedsFunding(uint256 claimedAfter, uint256 funded);
    error ClaimWhileFrozen(address account);
    error CumulativeTooLarge(uint256 cumulative);

    /// @param registry The identity registry every clone of this implementation uses.
    /// @param revenueToken The stablecoin every clone pays revenue in.
    constructor(IIdentityRegistry registry, IERC20 revenueToken) {
        identityRegistry = registry;
        stablecoin = revenueToken;
        _rules.initialized = true;
    }

    /// @notice Sets up a fresh clone: metadata, roles, rules and allowed countries. Once only.
    function initialize(InitParams calldata p) external {
        if (_rules.initialized) revert AlreadyInitialized();
        if (p.admin == address(0) || p.agent == address(0) || p.treasury == address(0)) {
            revert InvalidAddress(address(0));
        }
        _rules = Rules({
            maxBalance: p.maxBalance,
            lockupEnd: p.lockupEnd,
            maxHolders: p.maxHolders,
            holderCount: 0,
            paused: false,
            initialized: true
        });
        _name = p.name;
        _symbol = p.symbol;
        _treasury = p.treasury;
        _setAdmin(p.admin);
        _grantRoles(p.agent, AGENT_BITS);
        if (p.minter != address(0)) _grantRoles(p.minter, ISSUER_BIT);
        _setCountries(p.allowedCountries, true);
        emit TreasuryChanged(p.treasury);
    }

    // ---------------------------------------------------------------- views

    /// @notice The token's name.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice The token's symbol.
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice Fractions are whole units.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @notice Where primary sale proceeds go.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The current rules and holder count.
    function rules()
        external
        view
        returns (uint256 maxBalance, uint256 maxHolders, uint256 holderCount, uint256 lockupEnd, bool paused)
    {
        Rules memory r = _rules;
        return (r.maxBalance, r.maxHolders, r.holderCount, r.lockupEnd, r.paused);
    }

    /// @notice True if investors of `country` may hold the token.
    function isCountryAllowed(uint16 country) public view returns (bool) {
        return _allowedCountries[country >> 8] & (1 << (country & 0xff)) != 0;
    }

    /// @notice True if the whole wallet is frozen.
    function isWalletFrozen(address account) external view returns (bool) {
        return _accounts[account].walletFrozen;
    }

    /// @inheritdoc IERC7943Fungible
    function getFrozenTokens(address account) external view returns (uint256) {
        return _accounts[account].frozenTokens;
    }

    /// @inheritdoc IERC7943Fungible
    function canSend(address account) external view returns (bool) {
        return identityRegistry.recordOf(account).isVerified(block.timestamp) && !_accounts[account].walletFrozen;
    }

    /// @inheritdoc IERC7943Fungible
    function canReceive(address account) external view returns (bool) {
        uint256 record = identityRegistry.recordOf(account);
        return record.isVerified(block.timestamp) && !_accounts[account].walletFrozen
            && isCountryAllowed(record.country());
    }

    /// @inheritdoc IERC7943Fungible
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        (Refusal refusal,) = _evaluate(from, to, amount, Mode.Transfer);
        return refusal == Refusal.None;
    }

    /// @notice Why a transfer would be refused now (Refusal.None if it would pass).
    function transferRefusal(address from, address to, uint256 amount) external view returns (Refusal refusal) {
        (refusal,) = _evaluate(from, to, amount, Mode.Transfer);
    }

    /// @notice ERC-165: ERC-20 is implied; ERC-7943 fungible, IAccessControl and ERC-165 are declared.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == ERC7943_INTERFACE_ID || interfaceId == type(IERC165).interfaceId
            || interfaceId == type(IAccessControl).interfaceId;
    }

    // ---------------------------------------------------------------- issuer

    /// @notice Creates `amount` fractions for `to`, subject to the receiver's rules.
    function mint(address to, uint256 amount) external onlyRole(ISSUER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Mints to several receivers at once.
    function batchMint(address[] calldata to, uint256[] calldata amounts) external onlyRole(ISSUER_ROLE) {
        if (to.length != amounts.length) revert LengthMismatch();
        for (uint256 i; i < to.length; ++i) {
            _mint(to[i], amounts[i]);
        }
    }

    /// @notice Destroys `amount` unfrozen fractions of a verified, unfrozen holder.
    function burn(address from, uint256 amount) external onlyRole(ISSUER_ROLE) {
        _burn(from, amount);
    }

    // ---------------------------------------------------------------- freezer

    /// @inheritdoc IERC7943Fungible
    function setFrozenTokens(address account, uint256 amount) external onlyRole(FREEZER_ROLE) returns (bool) {
        if (amount > type(uint128).max) revert FrozenAmountTooLarge(amount);
        _accounts[account].frozenTokens = uint128(amount);
        emit Frozen(account, amount);
        return true;
    }

    /// @notice Freezes or unfreezes a whole wallet: a frozen wallet neither sends nor receives.
    function setWalletFrozen(address account, bool frozen) external onlyRole(FREEZER_ROLE) {
        _accounts[account].walletFrozen = frozen;
        emit WalletFrozen(account, frozen);
    }

    // ---------------------------------------------------------------- transfer and recovery agents

    /// @inheritdoc IERC7943Fungible
    function forcedTransfer(address from, address to, uint256 amount)
        external
        onlyRole(TRANSFER_AGENT_ROLE)
        returns (bool)
    {
        _forcedMode = Mode.Forced;
        _transfer(from, to, amount);
        _forcedMode = Mode.Transfer;
        emit ForcedTransfer(from, to, amount);
        return true;
    }

    /// @notice Moves the whole balance, frozen state and claimed revenue of `lostWallet` to
    ///         `newWallet`, a verified wallet of the same investor that holds nothing, has nothing
    ///         frozen and has never claimed revenue. The lost wallet can never claim this token's revenue again.
    /// @dev The lost wallet must still be in the registry (its investor id proves the link).
    function recoverWallet(address lostWallet, address newWallet) external onlyRole(RECOVERY_AGENT_ROLE) {
        if (lostWallet == newWallet) revert NotSameInvestor(lostWallet, newWallet);
        (uint256 lostRecord, uint256 newRecord) = identityRegistry.recordsOf(lostWallet, newWallet);
        if (lostRecord == 0 || lostRecord.investorId() != newRecord.investorId()) {
            revert NotSameInvestor(lostWallet, newWallet);
        }
        if (!newRecord.isVerified(block.timestamp)) revert ReceiverNotVerified(newWallet);
        if (!isCountryAllowed(newRecord.country())) revert CountryNotAllowed(newWallet, newRecord.country());
        AccountState memory state = _accounts[lostWallet];
        if (_accountWords[newWallet] != 0 || _accounts[newWallet].frozenTokens != 0 || _accounts[newWallet].walletFrozen) {
            revert RecoveryTargetNotEmpty(newWallet);
        }
        delete _accounts[lostWallet];
        _accounts[newWallet] = state;
        // The new wallet takes over what was claimed; the lost wallet is marked as having claimed
        // everything, so that its leaf in the current root can never be claimed again.
        uint256 lostWord = _accountWords[lostWallet];
        uint256 claimedBits = lostWord & ~BALANCE_MASK;
        // A wallet already recovered from carries the mark, not a claimed total: do not pass it on.
        _accountWords[newWallet] = claimedBits == ~BALANCE_MASK ? 0 : claimedBits;
        _accountWords[lostWallet] = lostWord | ~BALANCE_MASK;
        if (state.frozenTokens != 0) {
            emit Frozen(lostWallet, 0);
            emit Frozen(newWallet, state.frozenTokens);
        }
        if (state.walletFrozen) {
            emit WalletFrozen(lostWallet, false);
            emit WalletFrozen(newWallet, true);
        }
        uint256 amount = balanceOf(lostWallet);
        _forcedMode = Mode.Recovery;
        _transfer(lostWallet, newWallet, amount);
        _forcedMode = Mode.Transfer;
        emit ForcedTransfer(lostWallet, newWallet, amount);
        emit WalletRecovered(lostWallet, newWallet, lostRecord.investorId(), amount, state.frozenTokens);
    }

    // ---------------------------------------------------------------- revenue

    /// @notice Publishes `root` at `epoch` and pulls the new funding from the caller:
    ///         `totalCumulative` minus the previous total. Reverts if it cannot be funded.
    /// @param totalCumulative Sum of every account's cumulative entitlement in the tree.
    function publishRevenueRoot(uint32 epoch, bytes32 root, uint112 totalCumulative)
        external
        onlyRole(PUBLISHER_ROLE)
    {
        Revenue memory revenue = _revenue;
        if (epoch <= revenue.epoch) revert EpochNotIncreasing(epoch, revenue.epoch);
        if (totalCumulative < revenue.totalCumulative) {
            revert CumulativeDecreased(totalCumulative, revenue.totalCumulative);
        }
        uint256 funding = totalCumulative - revenue.totalCumulative;
        uint256 balance = stablecoin.balanceOf(msg.sender);
        uint256 allowance_ = stablecoin.allowance(msg.sender, address(this));
        if (balance < funding || allowance_ < funding) revert Underfunded(funding, balance, allowance_);
        _revenueRoot = root;
        _revenue = Revenue(epoch, totalCumulative, revenue.totalClaimed);
        emit RevenueRootPublished(epoch, root, totalCumulative, funding);
        stablecoin.safeTransferFrom(msg.sender, address(this), funding);
    }

    /// @notice Pays the caller its revenue entitlement not yet claimed, for all epochs up to now.
    /// @param cumulativeAmount The caller's cumulative entitlement in the current root.
    /// @param proof The Merkle proof of the caller's leaf.
    function claimRevenue(uint256 cumulativeAmount, bytes32[] calldata proof) external {
        if (_accounts[msg.sender].walletFrozen) revert ClaimWhileFrozen(msg.sender);
        if (cumulativeAmount > type(uint112).max) revert CumulativeTooLarge(cumulativeAmount);
        bytes32 leaf =
            keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(this), msg.sender, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, _revenueRoot, leaf)) revert InvalidProof();
        uint256 word = _accountWords[msg.sender];
        uint256 already = word >> 128;
        if (cumulativeAmount <= already) revert NothingToClaim(cumulativeAmount, already);
        uint256 amount = cumulativeAmount - already;
        Revenue memory revenue = _revenue;
        uint256 claimedAfter = revenue.totalClaimed + amount;
        if (claimedAfter > revenue.totalCumulative) revert ExceedsFunding(claimedAfter, revenue.totalCumulative);
        _revenue.totalClaimed = uint112(claimedAfter);
        _accountWords[msg.sender] = (cumulativeAmount << 128) | (word & BALANCE_MASK);
        emit RevenueClaimed(msg.sender, cumulativeAmount);
        stablecoin.safeTransfer(msg.sender, amount);
    }

    /// @notice The latest revenue root: root, epoch, total funded and total claimed.
    function revenue()
        external
        view
        returns (bytes32 root, uint256 epoch, uint256 totalCumulative, uint256 totalClaimed)
    {
        Revenue memory r = _revenue;
        return (_revenueRoot, r.epoch, r.totalCumulative, r.totalClaimed);
    }

    /// @notice What `account` has claimed of this token's revenue so far.
    function claimedRevenueOf(address account) external view returns (uint256) {
        return _accountWords[account] >> 128;
    }

    // ---------------------------------------------------------------- pauser

    /// @notice Stops transfers, mints and burns (enforcement actions still work).
    function pause() external onlyRole(PAUSER_ROLE) {
        _rules.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Lets transfers, mints and burns through again.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _rules.paused = false;
        emit Unpaused(msg.sender);
    }

    // ---------------------------------------------------------------- rules admin and admin

    /// @notice Allows or disallows investors of the given countries.
    function setCountriesAllowed(uint16[] calldata countries, bool allowed) external onlyRole(RULES_ADMIN_ROLE) {
        _setCountries(countries, allowed);
    }

    /// @notice Sets the largest balance one wallet may reach (0: no limit); existing balances stay.
    function setMaxBalance(uint128 maxBalance) external onlyRole(RULES_ADMIN_ROLE) {
        _rules.maxBalance = maxBalance;
        emit MaxBalanceChanged(maxBalance);
    }

    /// @notice Sets the largest number of holders (0: no limit); only increases are refused.
    function setMaxHolders(uint32 maxHolders) external onlyRole(RULES_ADMIN_ROLE) {
        _rules.maxHolders = maxHolders;
        emit MaxHoldersChanged(maxHolders);
    }

    /// @notice Sets the end of the lock-up for transfers between investors.
    function setLockupEnd(uint40 lockupEnd) external onlyRole(RULES_ADMIN_ROLE) {
        _rules.lockupEnd = lockupEnd;
        emit LockupEndChanged(lockupEnd);
    }

    /// @notice Changes where primary sale proceeds go. Admin only.
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert InvalidAddress(newTreasury);
        _treasury = newTreasury;
        emit TreasuryChanged(newTreasury);
    }

    // ---------------------------------------------------------------- the one path

    /// @dev Every balance change: evaluate the rules, refuse with the failing rule's error, move
    ///      the balances, keep the holder count.
    function _update(address from, address to, uint256 value) internal override {
        Mode mode = _forcedMode;
        if (mode == Mode.Transfer) {
            if (from == address(0)) mode = Mode.Mint;
            else if (to == address(0)) mode = Mode.Burn;
        }
        (Refusal refusal, uint256 holdersAfter) = _evaluate(from, to, value, mode);
        if (refusal != Refusal.None) _refuse(refusal, from, to, value);
        super._update(from, to, value);
        if (holdersAfter != _rules.holderCount) _rules.holderCount = SafeCast.toUint32(holdersAfter);
    }

    /// @dev The rules as one pure decision. Never reverts for rule failures; an amount above the
    ///      sender's balance is left for ERC-20 to refuse (ERC-7943: canTransfer ignores balances).
    function _evaluate(address from, address to, uint256 amount, Mode mode)
        internal
        view
        returns (Refusal, uint256 holdersAfter)
    {
        Rules memory r = _rules;
        holdersAfter = _holdersAfter(r.holderCount, from, to, amount);
        if (mode == Mode.Recovery) return (Refusal.None, holdersAfter);
        if (r.paused && mode != Mode.Forced) return (Refusal.Paused, holdersAfter);

        bool checkSender = mode == Mode.Transfer || mode == Mode.Burn;
        bool checkReceiver = mode != Mode.Burn;
        (uint256 fromRecord, uint256 toRecord) = _records(from, to, checkSender, checkReceiver);

        if (checkSender) {
            if (!fromRecord.isVerified(block.timestamp)) return (Refusal.SenderNotVerified, holdersAfter);
            if (_accounts[from].walletFrozen) return (Refusal.SenderFrozen, holdersAfter);
        }
        if (checkReceiver) {
            if (!toRecord.isVerified(block.timestamp)) return (Refusal.ReceiverNotVerified, holdersAfter);
            if (_accounts[to].walletFrozen) return (Refusal.ReceiverFrozen, holdersAfter);
            if (!isCountryAllowed(toRecord.country())) return (Refusal.CountryNotAllowed, holdersAfter);
        }
        if (mode == Mode.Transfer && block.timestamp < r.lockupEnd) return (Refusal.LockUpActive, holdersAfter);
        if (mode != Mode.Mint) {
            uint256 balance = balanceOf(from);
            uint256 frozen = _accounts[from].frozenTokens;
            uint256 unfrozen = balance > frozen ? balance - frozen : 0;
            if (amount <= balance && amount > unfrozen) return (Refusal.InsufficientUnfrozen, holdersAfter);
        }
        if (checkReceiver && from != to && r.maxBalance != 0 && (amount > r.maxBalance || balanceOf(to) > r.maxBalance - amount)) {
            return (Refusal.MaxBalanceExceeded, holdersAfter);
        }
        if (r.maxHolders != 0 && holdersAfter > r.maxHolders && holdersAfter > r.holderCount) {
            return (Refusal.MaxHoldersExceeded, holdersAfter);
        }
        return (Refusal.None, holdersAfter);
    }

    function _records(address from, address to, bool sender, bool receiver)
        private
        view
        returns (uint256 fromRecord, uint256 toRecord)
    {
        if (sender && receiver) return identityRegistry.recordsOf(from, to);
        if (sender) return (identityRegistry.recordOf(from), 0);
        if (receiver) return (0, identityRegistry.recordOf(to));
    }

    function _holdersAfter(uint256 count, address from, address to, uint256 amount) private view returns (uint256) {
        if (amount == 0 || from == to) return count;
        if (to != address(0) && balanceOf(to) == 0) ++count;
        if (from != address(0) && balanceOf(from) == amount) --count;
        return count;
    }

    /// @dev Reverts with the error of `refusal`; reached only on the failure path.
    function _refuse(Refusal refusal, address from, address to, uint256 amount) private view {
        if (refusal == Refusal.Paused) revert TokenPaused();
        if (refusal == Refusal.SenderNotVerified) revert SenderNotVerified(from);
        if (refusal == Refusal.SenderFrozen) revert SenderFrozen(from);
        if (refusal == Refusal.ReceiverNotVerified) revert ReceiverNotVerified(to);
        if (refusal == Refusal.ReceiverFrozen) revert ReceiverFrozen(to);
        if (refusal == Refusal.CountryNotAllowed) {
            revert CountryNotAllowed(to, identityRegistry.recordOf(to).country());
        }
        if (refusal == Refusal.LockUpActive) revert LockUpActive(_rules.lockupEnd);
        if (refusal == Refusal.InsufficientUnfrozen) {
            uint256 balance = balanceOf(from);
            uint256 frozen = _accounts[from].frozenTokens;
            revert ERC7943InsufficientUnfrozenBalance(from, amount, balance > frozen ? balance - frozen : 0);
        }
        if (refusal == Refusal.MaxBalanceExceeded) {
            uint256 balance = balanceOf(to);
            uint256 balanceAfter = amount > type(uint256).max - balance ? type(uint256).max : balance + amount;
            revert MaxBalanceExceeded(to, balanceAfter, _rules.maxBalance);
        }
        (, uint256 holdersAfter) = _evaluate(from, to, amount, Mode.Recovery);
        revert MaxHoldersExceeded(holdersAfter, _rules.maxHolders);
    }

    function _setCountries(uint16[] calldata countries, bool allowed) private {
        for (uint256 i; i < countries.length; ++i) {
            uint16 country = countries[i];
            if (country == 0 || country > 999) revert InvalidCountry(country);
            uint256 bit = 1 << (country & 0xff);
            uint256 word = _allowedCountries[country >> 8];
            _allowedCountries[country >> 8] = allowed ? word | bit : word & ~bit;
            emit CountryAllowed(country, allowed);
        }
    }

    // ---------------------------------------------------------------- roles

    function _roleBit(bytes32 role) internal pure override returns (uint256) {
        if (role == DEFAULT_ADMIN_ROLE) return ADMIN_BIT;
        if (role == ISSUER_ROLE) return ISSUER_BIT;
        if (role == FREEZER_ROLE) return FREEZER_BIT;
        if (role == TRANSFER_AGENT_ROLE) return TRANSFER_AGENT_BIT;
        if (role == RECOVERY_AGENT_ROLE) return RECOVERY_AGENT_BIT;
        if (role == PAUSER_ROLE) return PAUSER_BIT;
        if (role == RULES_ADMIN_ROLE) return RULES_ADMIN_BIT;
        if (role == PUBLISHER_ROLE) return PUBLISHER_BIT;
        return 0;
    }

    function _roleOfBit(uint256 bit) internal pure override returns (bytes32) {
        if (bit == ADMIN_BIT) return DEFAULT_ADMIN_ROLE;
        if (bit == ISSUER_BIT) return ISSUER_ROLE;
        if (bit == FREEZER_BIT) return FREEZER_ROLE;
        if (bit == TRANSFER_AGENT_BIT) return TRANSFER_AGENT_ROLE;
        if (bit == RECOVERY_AGENT_BIT) return RECOVERY_AGENT_ROLE;
        if (bit == PAUSER_BIT) return PAUSER_ROLE;
        if (bit == RULES_ADMIN_BIT) return RULES_ADMIN_ROLE;
        return PUBLISHER_ROLE;
    }
}
