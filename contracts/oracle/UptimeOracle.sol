// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title UptimeOracle
/// @notice Per farm and epoch, one report of uptime, GPU-hours and revenue with the hash of the
///         sample set it was computed from, accepted when k of the n registered reporters signed
///         it (EIP-712). Anyone may submit; the signatures are the authority.
/// @dev Signatures must come in strictly increasing signer order, which refuses duplicates in
///      one pass. A farm's epochs follow each other: after its first report, only the next epoch
///      is accepted (a second report for an epoch, an older one or a gap is refused). An epoch
///      with no uptime is reported too, with uptime 0.
contract UptimeOracle is AccessControlDefaultAdminRules, EIP712 {
    /// @notice Registers reporters and sets the threshold.
    bytes32 public constant ORACLE_ADMIN_ROLE = keccak256("ORACLE_ADMIN_ROLE");

    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "UptimeReport(bytes32 farmId,uint64 epoch,uint16 uptimeBps,uint64 gpuHoursAvailable,uint64 gpuHoursUsed,uint256 revenue,bytes32 samplesHash)"
    );

    struct UptimeReport {
        bytes32 farmId;
        uint64 epoch;
        /// @dev Uptime in basis points, 0 to 10000.
        uint16 uptimeBps;
        /// @dev GPU-hours in thousandths of an hour.
        uint64 gpuHoursAvailable;
        uint64 gpuHoursUsed;
        /// @dev Revenue in stablecoin minor units.
        uint256 revenue;
        /// @dev Hash of the epoch's sample set, recomputable from the exported samples.
        bytes32 samplesHash;
    }

    mapping(address => bool) public isReporter;
    uint16 public reporterCount;
    uint16 public threshold;
    mapping(bytes32 farmId => uint64) public lastEpoch;
    mapping(bytes32 farmId => mapping(uint64 epoch => bytes32 digest)) public reportDigest;

    event ReporterAdded(address indexed reporter);
    event ReporterRemoved(address indexed reporter);
    event ThresholdChanged(uint16 threshold);
    event ReportAccepted(
        bytes32 indexed farmId,
        uint64 indexed epoch,
        uint16 uptimeBps,
        uint64 gpuHoursAvailable,
        uint64 gpuHoursUsed,
        uint256 revenue,
        bytes32 samplesHash,
        bytes32 digest
    );

    error ReportAlreadyAccepted(bytes32 farmId, uint64 epoch);
    error StaleEpoch(bytes32 farmId, uint64 epoch, uint64 lastEpoch);
    error EpochNotNext(bytes32 farmId, uint64 epoch, uint64 expected);
    error InvalidReport();
    error InsufficientSignatures(uint256 given, uint256 threshold);
    error SignersNotStrictlyIncreasing(address signer);
    error NotAReporter(address signer);
    error InvalidThreshold(uint256 threshold, uint256 reporters);
    error ReporterAlreadyRegistered(address reporter);
    error ReporterNotRegistered(address reporter);

    /// @param initialAdmin Receives the admin role (and may grant ORACLE_ADMIN_ROLE).
    /// @param adminTransferDelay Seconds a started admin hand-over must wait.
    constructor(address initialAdmin, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
        EIP712("GpuUptimeOracle", "1")
    {}

    /// @notice Registers reporters.
    function addReporters(address[] calldata reporters) external onlyRole(ORACLE_ADMIN_ROLE) {
        for (uint256 i; i < reporters.length; ++i) {
            address reporter = reporters[i];
            if (reporter == address(0) || isReporter[reporter]) revert ReporterAlreadyRegistered(reporter);
            isReporter[reporter] = true;
            emit ReporterAdded(reporter);
        }
        reporterCount += uint16(reporters.length);
    }

    /// @notice Removes reporters; the threshold must stay reachable.
    function removeReporters(address[] calldata reporters) external onlyRole(ORACLE_ADMIN_ROLE) {
        for (uint256 i; i < reporters.length; ++i) {
            if (!isReporter[reporters[i]]) revert ReporterNotRegistered(reporters[i]);
            isReporter[reporters[i]] = false;
            emit ReporterRemoved(reporters[i]);
        }
        reporterCount -= uint16(reporters.length);
        if (threshold > reporterCount) revert InvalidThreshold(threshold, reporterCount);
    }

    /// @notice Sets k, the number of reporter signatures a report needs (1 <= k <= n).
    function setThreshold(uint16 k) external onlyRole(ORACLE_ADMIN_ROLE) {
        if (k == 0 || k > reporterCount) revert InvalidThreshold(k, reporterCount);
        threshold = k;
        emit ThresholdChanged(k);
    }

    /// @notice Accepts `report` if at least `threshold` distinct reporters signed its EIP-712 digest.
    /// @param signatures 65-byte signatures, ordered by strictly increasing signer address.
    function submitReport(UptimeReport calldata report, bytes[] calldata signatures) external {
        uint64 last = lastEpoch[report.farmId];
        if (reportDigest[report.farmId][report.epoch] != bytes32(0)) {
            revert ReportAlreadyAccepted(report.farmId, report.epoch);
        }
        if (report.epoch <= last) revert StaleEpoch(report.farmId, report.epoch, last);
        // After a farm's first report, epochs follow each other: nobody can skip one by racing
        // a later report in, and nobody can jump a farm to the end of time.
        if (last != 0 && report.epoch != last + 1) revert EpochNotNext(report.farmId, report.epoch, last + 1);
        if (report.uptimeBps > 10_000 || report.gpuHoursUsed > report.gpuHoursAvailable) revert InvalidReport();
        uint256 k = threshold;
        if (k == 0 || signatures.length < k) revert InsufficientSignatures(signatures.length, k);

        bytes32 digest = hashReport(report);
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= previous) revert SignersNotStrictlyIncreasing(signer);
            if (!isReporter[signer]) revert NotAReporter(signer);
            previous = signer;
        }

        lastEpoch[report.farmId] = report.epoch;
        reportDigest[report.farmId][report.epoch] = digest;
        emit ReportAccepted(
            report.farmId,
            report.epoch,
            report.uptimeBps,
            report.gpuHoursAvailable,
            report.gpuHoursUsed,
            report.revenue,
            report.samplesHash,
            digest
        );
    }

    /// @notice The EIP-712 digest reporters sign for `report`.
    function hashReport(UptimeReport calldata report) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REPORT_TYPEHASH,
                    report.farmId,
                    report.epoch,
                    report.uptimeBps,
                    report.gpuHoursAvailable,
                    report.gpuHoursUsed,
                    report.revenue,
                    report.samplesHash
                )
            )
        );
    }
}
