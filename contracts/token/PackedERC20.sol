// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @title PackedERC20
/// @notice ERC-20 (with OpenZeppelin's ERC-6093 errors) whose per-account storage word keeps the
///         balance in its low 128 bits and leaves the high 128 bits to the inheriting contract.
/// @dev GpuFarmToken keeps each holder's claimed revenue there, so a holder's first revenue
///      claim rewrites a slot that already exists instead of creating one (about 17k gas less).
///      Total supply is capped at 2^128 - 1, so a balance can never carry into the high bits.
abstract contract PackedERC20 is IERC20, IERC20Metadata, IERC20Errors {
    uint256 internal constant BALANCE_MASK = type(uint128).max;

    mapping(address account => uint256 word) internal _accountWords;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    uint256 private _totalSupply;

    /// @notice Minting would take the total supply past 2^128 - 1.
    error SupplyCapExceeded(uint256 totalSupplyAfter);

    /// @inheritdoc IERC20
    function totalSupply() public view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) public view returns (uint256) {
        return _accountWords[account] & BALANCE_MASK;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) public view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    /// @dev An allowance of type(uint256).max is never decreased.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < value) revert ERC20InsufficientAllowance(msg.sender, current, value);
            unchecked {
                _allowances[from][msg.sender] = current - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _update(from, to, value);
    }

    function _mint(address to, uint256 value) internal {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _update(address(0), to, value);
    }

    function _burn(address from, uint256 value) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        _update(from, address(0), value);
    }

    /// @dev Moves `value` from `from` to `to` (zero address: mint or burn) and emits Transfer.
    function _update(address from, address to, uint256 value) internal virtual {
        if (from == address(0)) {
            uint256 supplyAfter = _totalSupply + value;
            if (supplyAfter > BALANCE_MASK) revert SupplyCapExceeded(supplyAfter);
            _totalSupply = supplyAfter;
        } else {
            uint256 word = _accountWords[from];
            uint256 balance = word & BALANCE_MASK;
            if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
            unchecked {
                _accountWords[from] = word - value;
            }
        }
        unchecked {
            // No carry into the high bits: every balance is at most the total supply (< 2^128).
            if (to == address(0)) _totalSupply -= value;
            else _accountWords[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
