// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IERC7943Fungible
/// @notice ERC-7943 (uRWA) for ERC-20 based tokens: compliance checks, freezing, forced transfers.
interface IERC7943Fungible is IERC165 {
    /// @notice Tokens were taken from `from` and given to `to` by an enforcement action.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);
    /// @notice The frozen amount of `account` is now `amount`.
    event Frozen(address indexed account, uint256 amount);

    error ERC7943CannotSend(address account);
    error ERC7943CannotReceive(address account);
    error ERC7943CannotTransfer(address from, address to, uint256 amount);
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    /// @notice Moves `amount` from `from` to `to` by authority; reverts on failure.
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);

    /// @notice Sets the frozen amount of `account` (may exceed its balance).
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);

    /// @notice True if `account` may send tokens under the token's rules.
    function canSend(address account) external view returns (bool allowed);

    /// @notice True if `account` may receive tokens under the token's rules.
    function canReceive(address account) external view returns (bool allowed);

    /// @notice The amount of `account`'s tokens that are frozen.
    function getFrozenTokens(address account) external view returns (uint256 amount);

    /// @notice True if a transfer of `amount` from `from` to `to` would pass the token's rules now.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}
