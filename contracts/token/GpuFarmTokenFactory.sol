// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {GpuFarmToken} from "./GpuFarmToken.sol";

/// @title GpuFarmTokenFactory
/// @notice Tokenizes a farm in ONE transaction: clones the token implementation (EIP-1167) at an
///         address derived from the farm id, initializes its rules and roles, registers it.
/// @dev The clone's address is known before the transaction (predictTokenAddress), so the
///      backend can record it with the tokenization request.
contract GpuFarmTokenFactory is AccessControlDefaultAdminRules {
    /// @notice Creates farm tokens.
    bytes32 public constant TOKENIZER_ROLE = keccak256("TOKENIZER_ROLE");

    /// @notice The implementation every farm token is a clone of.
    address public immutable implementation;

    /// @notice The token of each farm (zero address if not tokenized).
    mapping(bytes32 farmId => address token) public tokenOf;

    /// @notice A farm was tokenized.
    event FarmTokenCreated(
        bytes32 indexed farmId,
        address indexed token,
        string symbol,
        address admin,
        address agent,
        address treasury
    );

    error FarmAlreadyTokenized(bytes32 farmId, address token);
    error InvalidFarmId();

    /// @param initialAdmin Receives the admin role; hands it over in two steps.
    /// @param adminTransferDelay Seconds a started admin hand-over must wait.
    /// @param tokenImplementation A GpuFarmToken deployed to be cloned.
    constructor(address initialAdmin, uint48 adminTransferDelay, address tokenImplementation)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {
        implementation = tokenImplementation;
    }

    /// @notice Deploys, initializes and registers the token of `farmId`.
    /// @param farmId The platform's farm id (for example the keccak256 of its UUID); one token per farm.
    /// @param params Name, symbol, roles, treasury and transfer rules of the new token.
    /// @return token The new token's address, equal to predictTokenAddress(farmId).
    function createFarmToken(bytes32 farmId, GpuFarmToken.InitParams calldata params)
        external
        onlyRole(TOKENIZER_ROLE)
        returns (address token)
    {
        if (farmId == bytes32(0)) revert InvalidFarmId();
        address existing = tokenOf[farmId];
        if (existing != address(0)) revert FarmAlreadyTokenized(farmId, existing);
        token = Clones.cloneDeterministic(implementation, farmId);
        GpuFarmToken(token).initialize(params);
        tokenOf[farmId] = token;
        emit FarmTokenCreated(farmId, token, params.symbol, params.admin, params.agent, params.treasury);
    }

    /// @notice The address the token of `farmId` has or will have.
    function predictTokenAddress(bytes32 farmId) external view returns (address) {
        return Clones.predictDeterministicAddress(implementation, farmId);
    }
}
