// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title AuditAnchor
/// @notice One per deployment: the platform periodically anchors the head of its off-chain,
///         hash-chained audit log here (the sequence number of the newest entry and that entry's
///         hash). Every entry's hash covers the one before, so an anchored head commits to the
///         whole history up to it: a rewrite of the database, even one that recomputes every
///         later hash consistently, no longer matches what the chain recorded.
/// @dev Sequences only grow. The event is the record; the last anchor is also kept in storage so
///      that a verifier can read it with one call, without an index.
contract AuditAnchor is AccessControlDefaultAdminRules {
    /// @notice Anchors audit log heads.
    bytes32 public constant ANCHOR_ROLE = keccak256("ANCHOR_ROLE");

    /// @notice The sequence number of the last anchored entry; 0 before the first anchor.
    uint64 public lastSequence;
    /// @notice The hash of the last anchored entry; zero before the first anchor.
    bytes32 public lastHead;

    /// @notice The audit log's entry `sequence` has hash `head`.
    event AuditHeadAnchored(uint64 indexed sequence, bytes32 head);

    /// @notice Anchors must move forward: `sequence` is not above the last anchored one.
    error SequenceNotIncreasing(uint64 sequence, uint64 lastSequence);
    /// @notice A head is an entry's hash, never zero.
    error EmptyHead();

    /// @param initialAdmin Receives the admin role (and may grant ANCHOR_ROLE).
    /// @param adminTransferDelay Seconds a started admin hand-over must wait before it can be accepted.
    constructor(address initialAdmin, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {}

    /// @notice Records that the audit log's entry `sequence` has hash `head`.
    /// @param sequence Above the last anchored sequence (the log only grows).
    /// @param head The entry's hash, non-zero.
    function anchor(uint64 sequence, bytes32 head) external onlyRole(ANCHOR_ROLE) {
        uint64 last = lastSequence;
        if (sequence <= last) revert SequenceNotIncreasing(sequence, last);
        if (head == bytes32(0)) revert EmptyHead();
        lastSequence = sequence;
        lastHead = head;
        emit AuditHeadAnchored(sequence, head);
    }
}
