// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IdentityRecords
/// @notice The one-slot encoding of a wallet's identity, shared by the registry and the tokens.
/// @dev A record is `investorId (high 200 bits) | country (16 bits) | KYC expiry (40 bits)`.
///      Investor ids are bytes32 values whose low 7 bytes are zero, so that registering a wallet
///      costs one storage slot. Zero means "not registered".
library IdentityRecords {
    uint256 internal constant EXPIRY_BITS = 40;
    uint256 internal constant COUNTRY_BITS = 16;
    uint256 internal constant ID_SHIFT = EXPIRY_BITS + COUNTRY_BITS;
    uint256 internal constant ID_LOW_MASK = (uint256(1) << ID_SHIFT) - 1;

    function encode(bytes32 id, uint16 countryCode, uint40 kycExpiry) internal pure returns (uint256) {
        return uint256(id) | (uint256(countryCode) << EXPIRY_BITS) | uint256(kycExpiry);
    }

    function investorId(uint256 record) internal pure returns (bytes32) {
        return bytes32(record & ~ID_LOW_MASK);
    }

    function country(uint256 record) internal pure returns (uint16) {
        return uint16(record >> EXPIRY_BITS);
    }

    function expiry(uint256 record) internal pure returns (uint40) {
        return uint40(record);
    }

    /// @notice True when the record exists and its KYC has not expired at `timestamp`.
    function isVerified(uint256 record, uint256 timestamp) internal pure returns (bool) {
        return record != 0 && uint40(record) > timestamp;
    }
}
