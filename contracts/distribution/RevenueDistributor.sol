// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title RevenueDistributor
/// @notice Revenue of every farm token, claimed with Merkle proofs over CUMULATIVE entitlements.
///         Each epoch the publisher posts one root per token and funds it in the same call; a
///         holder claims `cumulative - alreadyClaimed` with one proof, so one claim covers any
///         number of epochs. Publishing costs the same for 10 holders or 10 million.
/// @dev Leaves follow OpenZeppelin's StandardMerkleTree (double keccak of the ABI encoding) over
///      `(uint256 chainId, address distributor, address token, address account, uint256 cumulative)`,
///      so a proof is valid on one chain, for one distributor and one token only. A claim pays the
///      claiming account itself.
contract RevenueDistributor is AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    /// @notice Publishes and funds epoch roots.
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");

    /// @notice The payout stablecoin.
    IERC20 public immutable stablecoin;

    struct Distribution {
        bytes32 root;
        uint64 epoch;
        uint192 totalCumulative;
    }

    mapping(address token => Distribution) private _distributions;
    mapping(address token => mapping(address account => uint256 cumulative)) private _claimed;

    /// @notice A root over cumulative entitlements up to `epoch` was published and funded.
    event RootPublished(address indexed token, uint64 indexed epoch, bytes32 root, uint256 totalCumulative, uint256 funded);
    /// @notice `account` claimed `amount`, bringing its claimed total to `cumulative`.
    event Claimed(address indexed token, address indexed account, uint256 amount, uint256 cumulative);

    error EpochNotIncreasing(uint64 epoch, uint64 lastEpoch);
    error CumulativeDecreased(uint256 totalCumulative, uint256 previous);
    error Underfunded(uint256 required, uint256 balance, uint256 allowance);
    error InvalidProof();
    error NothingToClaim(uint256 cumulative, uint256 alreadyClaimed);

    /// @param initialAdmin Receives the admin role; hands it over in two steps.
    /// @param adminTransferDelay Seconds a started admin hand-over must wait.
    /// @param payoutToken The stablecoin entitlements are paid in.
    constructor(address initialAdmin, uint48 adminTransferDelay, IERC20 payoutToken)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {
        stablecoin = payoutToken;
    }

    /// @notice Publishes `root` for `token` at `epoch` and pulls the new funding from the caller:
    ///         `totalCumulative` minus the previous epoch's total. Reverts if it cannot be funded.
    /// @param totalCumulative Sum of all accounts' cumulative entitlements in the tree.
    function publishRoot(address token, uint64 epoch, bytes32 root, uint192 totalCumulative)
        external
        onlyRole(PUBLISHER_ROLE)
    {
        Distribution memory previous = _distributions[token];
        if (epoch <= previous.epoch) revert EpochNotIncreasing(epoch, previous.epoch);
        if (totalCumulative < previous.totalCumulative) {
            revert CumulativeDecreased(totalCumulative, previous.totalCumulative);
        }
        uint256 funding = totalCumulative - previous.totalCumulative;
        uint256 balance = stablecoin.balanceOf(msg.sender);
        uint256 allowance = stablecoin.allowance(msg.sender, address(this));
        if (balance < funding || allowance < funding) revert Underfunded(funding, balance, allowance);
        _distributions[token] = Distribution(root, epoch, totalCumulative);
        emit RootPublished(token, epoch, root, totalCumulative, funding);
        stablecoin.safeTransferFrom(msg.sender, address(this), funding);
    }

    /// @notice Pays the caller what it is entitled to in `token`'s distributions and has not yet claimed.
    /// @param cumulativeAmount The caller's cumulative entitlement in the current root.
    /// @param proof The Merkle proof of the caller's leaf.
    function claim(address token, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        bytes32 leaf = keccak256(
            bytes.concat(keccak256(abi.encode(block.chainid, address(this), token, msg.sender, cumulativeAmount)))
        );
        if (!MerkleProof.verifyCalldata(proof, _distributions[token].root, leaf)) revert InvalidProof();
        uint256 already = _claimed[token][msg.sender];
        if (cumulativeAmount <= already) revert NothingToClaim(cumulativeAmount, already);
        _claimed[token][msg.sender] = cumulativeAmount;
        uint256 amount = cumulativeAmount - already;
        emit Claimed(token, msg.sender, amount, cumulativeAmount);
        stablecoin.safeTransfer(msg.sender, amount);
    }

    /// @notice The latest root of `token`: root, epoch and total cumulative entitlement.
    function distributionOf(address token) external view returns (Distribution memory) {
        return _distributions[token];
    }

    /// @notice What `account` has claimed of `token`'s distributions so far.
    function claimedOf(address token, address account) external view returns (uint256) {
        return _claimed[token][account];
    }
}
