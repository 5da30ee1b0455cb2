// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";
import {IdentityRecords} from "./IdentityRecords.sol";

/// @title IdentityRegistry
/// @notice One per deployment, shared by every farm token: wallet -> investor id, country
///         (ISO 3166-1 numeric) and KYC expiry. No personal data is stored on chain.
/// @dev Several wallets of one investor carry the same investor id. Each wallet's identity is
///      one storage slot (see IdentityRecords). Agents register, update and remove; the admin
///      (handed over in two steps) grants the agent role.
contract IdentityRegistry is IIdentityRegistry, AccessControlDefaultAdminRules {
    using IdentityRecords for uint256;

    /// @notice Registers, updates and removes identities.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    uint16 private constant MAX_COUNTRY = 999;

    mapping(address wallet => uint256 record) private _records;

    /// @notice A wallet was registered for an investor.
    event IdentityRegistered(address indexed wallet, bytes32 indexed investorId, uint16 country, uint40 kycExpiry);
    /// @notice A wallet's country or KYC expiry changed.
    event IdentityUpdated(address indexed wallet, bytes32 indexed investorId, uint16 country, uint40 kycExpiry);
    /// @notice A wallet was removed from the registry.
    event IdentityRemoved(address indexed wallet, bytes32 indexed investorId);

    error IdentityAlreadyRegistered(address wallet);
    error IdentityNotRegistered(address wallet);
    /// @notice Investor ids are non-zero and have their low 7 bytes zero.
    error InvalidInvestorId(bytes32 investorId);
    /// @notice Countries are ISO 3166-1 numeric codes, 1 to 999.
    error InvalidCountry(uint16 country);
    error KycExpiryNotInFuture(uint40 kycExpiry);
    error InvalidWallet(address wallet);
    error LengthMismatch();

    /// @param initialAdmin Receives the admin role; hands it over in two steps.
    /// @param adminTransferDelay Seconds a started admin hand-over must wait before it can be accepted.
    constructor(address initialAdmin, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {}

    /// @notice Registers `wallet` for `investorId` with its country and KYC expiry.
    /// @param wallet A wallet not yet registered.
    /// @param investorId Non-zero, low 7 bytes zero; shared by all wallets of the investor.
    /// @param country ISO 3166-1 numeric code.
    /// @param kycExpiry Unix time after which the wallet is no longer verified.
    function registerIdentity(address wallet, bytes32 investorId, uint16 country, uint40 kycExpiry)
        external
        onlyRole(AGENT_ROLE)
    {
        _register(wallet, investorId, country, kycExpiry);
    }

    /// @notice Registers several wallets at once; see registerIdentity.
    function batchRegisterIdentity(
        address[] calldata wallets,
        bytes32[] calldata investorIds,
        uint16[] calldata countries,
        uint40[] calldata kycExpiries
    ) external onlyRole(AGENT_ROLE) {
        uint256 n = wallets.length;
        if (investorIds.length != n || countries.length != n || kycExpiries.length != n) revert LengthMismatch();
        for (uint256 i; i < n; ++i) {
            _register(wallets[i], investorIds[i], countries[i], kycExpiries[i]);
        }
    }

    /// @notice Changes the country and KYC expiry of registered wallets; the investor id stays.
    function batchUpdateIdentity(
        address[] calldata wallets,
        uint16[] calldata countries,
        uint40[] calldata kycExpiries
    ) external onlyRole(AGENT_ROLE) {
        uint256 n = wallets.length;
        if (countries.length != n || kycExpiries.length != n) revert LengthMismatch();
        for (uint256 i; i < n; ++i) {
            uint256 record = _records[wallets[i]];
            if (record == 0) revert IdentityNotRegistered(wallets[i]);
            _checkCountryAndExpiry(countries[i], kycExpiries[i]);
            bytes32 investorId = record.investorId();
            _records[wallets[i]] = IdentityRecords.encode(investorId, countries[i], kycExpiries[i]);
            emit IdentityUpdated(wallets[i], investorId, countries[i], kycExpiries[i]);
        }
    }

    /// @notice Removes registered wallets; they stop being verified at once.
    function batchRemoveIdentity(address[] calldata wallets) external onlyRole(AGENT_ROLE) {
        for (uint256 i; i < wallets.length; ++i) {
            uint256 record = _records[wallets[i]];
            if (record == 0) revert IdentityNotRegistered(wallets[i]);
            delete _records[wallets[i]];
            emit IdentityRemoved(wallets[i], record.investorId());
        }
    }

    /// @notice The identity of `wallet`: investor id, country, KYC expiry (zeros if unknown).
    function identityOf(address wallet) external view returns (bytes32 investorId, uint16 country, uint40 kycExpiry) {
        uint256 record = _records[wallet];
        return (record.investorId(), record.country(), record.expiry());
    }

    /// @inheritdoc IIdentityRegistry
    function recordOf(address wallet) external view returns (uint256) {
        return _records[wallet];
    }

    /// @inheritdoc IIdentityRegistry
    function recordsOf(address a, address b) external view returns (uint256 recordA, uint256 recordB) {
        return (_records[a], _records[b]);
    }

    /// @inheritdoc IIdentityRegistry
    function isVerified(address wallet) external view returns (bool) {
        return _records[wallet].isVerified(block.timestamp);
    }

    function _register(address wallet, bytes32 investorId, uint16 country, uint40 kycExpiry) private {
        if (wallet == address(0)) revert InvalidWallet(wallet);
        if (investorId == bytes32(0) || uint256(investorId) & IdentityRecords.ID_LOW_MASK != 0) {
            revert InvalidInvestorId(investorId);
        }
        if (_records[wallet] != 0) revert IdentityAlreadyRegistered(wallet);
        _checkCountryAndExpiry(country, kycExpiry);
        _records[wallet] = IdentityRecords.encode(investorId, country, kycExpiry);
        emit IdentityRegistered(wallet, investorId, country, kycExpiry);
    }

    function _checkCountryAndExpiry(uint16 country, uint40 kycExpiry) private view {
        if (country == 0 || country > MAX_COUNTRY) revert InvalidCountry(country);
        if (kycExpiry <= block.timestamp) revert KycExpiryNotInFuture(kycExpiry);
    }
}
