// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Mock USD Coin
/// @notice Local stand-in for the payment stablecoin: a 6-decimal ERC-20 that the owner can mint.
/// @dev Development and test networks only. Reverts use the custom errors of OpenZeppelin 5
///      (`OwnableUnauthorizedAccount`, `ERC20InvalidReceiver`, ...), never revert strings.
contract MockStablecoin is ERC20, Ownable {
    /// @notice Deploys the token; the deployer becomes the owner.
    constructor() ERC20("Mock USD Coin", "mUSDC") Ownable(msg.sender) {}

    /// @notice Number of decimals of the token amounts, as for USDC.
    /// @return Always 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Creates `amount` new tokens (in minor units) and assigns them to `to`.
    /// @dev Only the owner. Emits {Transfer} from the zero address.
    /// @param to Receiver of the new tokens; must not be the zero address.
    /// @param amount Amount in minor units (6 decimals).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
