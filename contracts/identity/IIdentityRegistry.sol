// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IIdentityRegistry
/// @notice What farm tokens ask the shared identity registry.
interface IIdentityRegistry {
    /// @notice The packed identity record of `wallet` (see IdentityRecords); zero if unknown.
    function recordOf(address wallet) external view returns (uint256);

    /// @notice The packed records of two wallets in one call (a transfer's sender and receiver).
    function recordsOf(address a, address b) external view returns (uint256 recordA, uint256 recordB);

    /// @notice True when `wallet` is registered and its KYC has not expired.
    function isVerified(address wallet) external view returns (bool);
}
