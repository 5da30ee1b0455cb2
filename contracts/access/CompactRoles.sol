// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title CompactRoles
/// @notice Role-based access control with the IAccessControl interface (roles, events, errors),
///         storing all of an account's roles as bits of ONE slot, and a single admin handed over
///         in two steps.
/// @dev Granting an agent its six roles costs one storage write instead of six, which keeps a
///      farm token's deployment under 300k gas. Every role's admin is DEFAULT_ADMIN_ROLE. The
///      admin role moves only through beginAdminTransfer/acceptAdminTransfer and cannot be
///      granted or renounced, so the token always has exactly one admin.
abstract contract CompactRoles is IAccessControl {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 internal constant ADMIN_BIT = 1;

    mapping(address account => uint256 roleBits) private _roleBits;
    address private _admin;
    address private _pendingAdmin;

    /// @notice An admin hand-over was started; `newAdmin` must accept it.
    event AdminTransferStarted(address indexed currentAdmin, address indexed newAdmin);
    /// @notice A started admin hand-over was cancelled.
    event AdminTransferCancelled(address indexed currentAdmin, address indexed newAdmin);

    /// @notice The role is not one of this contract's roles.
    error UnknownRole(bytes32 role);
    /// @notice The admin role moves only by beginAdminTransfer/acceptAdminTransfer.
    error AdminRoleNotGrantable();
    /// @notice Only the pending admin can accept the hand-over.
    error NotPendingAdmin(address account);

    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    /// @notice The bit of a role in an account's role word; 0 for a role this contract does not have.
    function _roleBit(bytes32 role) internal pure virtual returns (uint256);

    /// @inheritdoc IAccessControl
    /// @dev False for a role this contract does not have.
    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _roleBits[account] & _roleBit(role) != 0;
    }

    /// @inheritdoc IAccessControl
    function getRoleAdmin(bytes32) external pure returns (bytes32) {
        return DEFAULT_ADMIN_ROLE;
    }

    /// @notice The current admin.
    function admin() external view returns (address) {
        return _admin;
    }

    /// @notice The account that may accept the admin role, if a hand-over is under way.
    function pendingAdmin() external view returns (address) {
        return _pendingAdmin;
    }

    /// @inheritdoc IAccessControl
    /// @dev Only the admin; not for DEFAULT_ADMIN_ROLE.
    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (role == DEFAULT_ADMIN_ROLE) revert AdminRoleNotGrantable();
        _grantRoles(account, _knownRoleBit(role));
    }

    /// @inheritdoc IAccessControl
    /// @dev Only the admin; not for DEFAULT_ADMIN_ROLE.
    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (role == DEFAULT_ADMIN_ROLE) revert AdminRoleNotGrantable();
        _revokeRoles(account, _knownRoleBit(role));
    }

    /// @inheritdoc IAccessControl
    /// @dev Agents may drop their own roles; the admin hands over instead.
    function renounceRole(bytes32 role, address callerConfirmation) external {
        if (callerConfirmation != msg.sender) revert AccessControlBadConfirmation();
        if (role == DEFAULT_ADMIN_ROLE) revert AdminRoleNotGrantable();
        _revokeRoles(msg.sender, _knownRoleBit(role));
    }

    /// @notice Starts handing the admin role to `newAdmin`, who must accept. Replaces any pending one.
    function beginAdminTransfer(address newAdmin) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pendingAdmin = newAdmin;
        emit AdminTransferStarted(msg.sender, newAdmin);
    }

    /// @notice Cancels a started hand-over.
    function cancelAdminTransfer() external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit AdminTransferCancelled(msg.sender, _pendingAdmin);
        delete _pendingAdmin;
    }

    /// @notice Completes the hand-over: the caller becomes the admin, the previous admin is not.
    function acceptAdminTransfer() external {
        if (msg.sender != _pendingAdmin || msg.sender == address(0)) revert NotPendingAdmin(msg.sender);
        address previous = _admin;
        delete _pendingAdmin;
        _revokeRoles(previous, ADMIN_BIT);
        _setAdmin(msg.sender);
    }

    function _setAdmin(address account) internal {
        _admin = account;
        _grantRoles(account, ADMIN_BIT);
    }

    /// @dev Grants every role in `bits`, emitting RoleGranted for each one the account lacked.
    function _grantRoles(address account, uint256 bits) internal {
        uint256 current = _roleBits[account];
        uint256 added = bits & ~current;
        if (added == 0) return;
        _roleBits[account] = current | added;
        _emitEach(added, account, true);
    }

    function _revokeRoles(address account, uint256 bits) internal {
        uint256 current = _roleBits[account];
        uint256 removed = bits & current;
        if (removed == 0) return;
        _roleBits[account] = current & ~removed;
        _emitEach(removed, account, false);
    }

    function _knownRoleBit(bytes32 role) private pure returns (uint256 bit) {
        bit = _roleBit(role);
        if (bit == 0) revert UnknownRole(role);
    }

    function _checkRole(bytes32 role, address account) internal view {
        if (!hasRole(role, account)) revert AccessControlUnauthorizedAccount(account, role);
    }

    /// @dev The role id of each bit; the inverse of _roleBit.
    function _roleOfBit(uint256 bit) internal pure virtual returns (bytes32);

    function _emitEach(uint256 bits, address account, bool granted) private {
        for (uint256 bit = 1; bits != 0; bit <<= 1) {
            if (bits & bit == 0) continue;
            bits &= ~bit;
            bytes32 role = _roleOfBit(bit);
            if (granted) emit RoleGranted(role, account, msg.sender);
            else emit RoleRevoked(role, account, msg.sender);
        }
    }
}
