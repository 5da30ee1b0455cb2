// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice What the sale needs of a farm token.
interface IFarmTokenIssuance {
    function mint(address to, uint256 amount) external;
    function treasury() external view returns (address);
}

/// @title PrimarySale
/// @notice Delivery versus payment for primary sales of farm fractions. An investor pays
///         stablecoin against an order id at the offering's price; the sale agent settles, which
///         mints the fractions to the investor AND releases the payment to the farm's treasury in
///         one transaction; if an order is not settled by its deadline the investor takes a refund.
/// @dev Orders are keyed by (order id, payer), so nobody can block an investor's order id by
///      paying for it first. An order is paid once and then settled, rejected or refunded once.
///      Minting enforces the token's rules: a payer who cannot hold the token cannot be settled.
contract PrimarySale is AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Opens offerings, settles and rejects orders.
    bytes32 public constant SALE_AGENT_ROLE = keccak256("SALE_AGENT_ROLE");

    /// @notice The payment stablecoin.
    IERC20 public immutable stablecoin;

    /// @notice The longest an investor's payment can wait for settlement before it is refundable.
    uint32 public constant MAX_SETTLEMENT_WINDOW = 30 days;

    struct Offering {
        uint128 pricePerFraction;
        uint40 opensAt;
        uint40 closesAt;
        /// @dev Seconds after payment by which the order must be settled, else it is refundable.
        uint32 settlementWindow;
    }

    enum OrderStatus {
        None,
        Paid,
        Settled,
        Refunded
    }

    struct Order {
        address token;
        uint40 deadline;
        OrderStatus status;
        uint128 fractions;
        uint128 amount;
    }

    mapping(address token => Offering) private _offerings;
    mapping(bytes32 key => Order) private _orders;

    event OfferingSet(address indexed token, uint256 pricePerFraction, uint256 opensAt, uint256 closesAt, uint256 settlementWindow);
    event OrderPaid(bytes32 indexed orderId, address indexed investor, address indexed token, uint256 fractions, uint256 amount, uint256 deadline);
    event OrderSettled(bytes32 indexed orderId, address indexed investor, address indexed token, uint256 fractions, uint256 amount, address treasury);
    event OrderRefunded(bytes32 indexed orderId, address indexed investor, address indexed token, uint256 amount, bool rejected);

    error OfferingNotOpen(address token);
    error InvalidOffering();
    error ZeroFractions();
    error AmountMismatch(uint256 expected, uint256 given);
    error OrderAlreadyExists(bytes32 orderId, address investor);
    error OrderNotPaid(bytes32 orderId, address investor);
    error OrderExpired(bytes32 orderId, uint256 deadline);
    error OrderNotExpired(bytes32 orderId, uint256 deadline);

    /// @param initialAdmin Receives the admin role; hands it over in two steps.
    /// @param adminTransferDelay Seconds a started admin hand-over must wait.
    /// @param paymentToken The stablecoin investors pay with.
    constructor(address initialAdmin, uint48 adminTransferDelay, IERC20 paymentToken)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {
        stablecoin = paymentToken;
    }

    /// @notice Opens, changes or closes (closesAt in the past) the offering of `token`.
    function setOffering(address token, uint128 pricePerFraction, uint40 opensAt, uint40 closesAt, uint32 settlementWindow)
        external
        onlyRole(SALE_AGENT_ROLE)
    {
        if (pricePerFraction == 0 || closesAt <= opensAt || settlementWindow == 0 || settlementWindow > MAX_SETTLEMENT_WINDOW) {
            revert InvalidOffering();
        }
        _offerings[token] = Offering(pricePerFraction, opensAt, closesAt, settlementWindow);
        emit OfferingSet(token, pricePerFraction, opensAt, closesAt, settlementWindow);
    }

    /// @notice Pays for `fractions` of `token` under `orderId`; pulls `amount` stablecoin from the caller.
    /// @param amount Must equal fractions x price: a price change between quote and payment refuses.
    function pay(bytes32 orderId, address token, uint128 fractions, uint128 amount) external nonReentrant {
        Offering memory offering = _offerings[token];
        if (offering.pricePerFraction == 0 || block.timestamp < offering.opensAt || block.timestamp >= offering.closesAt) {
            revert OfferingNotOpen(token);
        }
        if (fractions == 0) revert ZeroFractions();
        uint256 expected = uint256(fractions) * offering.pricePerFraction;
        if (amount != expected) revert AmountMismatch(expected, amount);
        bytes32 key = _key(orderId, msg.sender);
        if (_orders[key].status != OrderStatus.None) revert OrderAlreadyExists(orderId, msg.sender);
        uint40 deadline = uint40(block.timestamp + offering.settlementWindow);
        _orders[key] = Order(token, deadline, OrderStatus.Paid, fractions, amount);
        emit OrderPaid(orderId, msg.sender, token, fractions, amount, deadline);
        stablecoin.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Delivery versus payment: mints the order's fractions to the investor and sends the
    ///         payment to the farm's treasury, atomically. Before the order's deadline only.
    function settle(bytes32 orderId, address investor) external onlyRole(SALE_AGENT_ROLE) nonReentrant {
        bytes32 key = _key(orderId, investor);
        Order memory order = _paidOrder(key, orderId, investor);
        if (block.timestamp > order.deadline) revert OrderExpired(orderId, order.deadline);
        _orders[key].status = OrderStatus.Settled;
        address treasury = IFarmTokenIssuance(order.token).treasury();
        emit OrderSettled(orderId, investor, order.token, order.fractions, order.amount, treasury);
        IFarmTokenIssuance(order.token).mint(investor, order.fractions);
        stablecoin.safeTransfer(treasury, order.amount);
    }

    /// @notice The investor takes back the payment of an order not settled by its deadline.
    function refund(bytes32 orderId) external nonReentrant {
        bytes32 key = _key(orderId, msg.sender);
        Order memory order = _paidOrder(key, orderId, msg.sender);
        if (block.timestamp <= order.deadline) revert OrderNotExpired(orderId, order.deadline);
        _refund(key, orderId, msg.sender, order, false);
    }

    /// @notice The sale agent returns the payment of an order it will not settle (for example an
    ///         investor who is no longer eligible), before or after the deadline.
    function reject(bytes32 orderId, address investor) external onlyRole(SALE_AGENT_ROLE) nonReentrant {
        bytes32 key = _key(orderId, investor);
        _refund(key, orderId, investor, _paidOrder(key, orderId, investor), true);
    }

    /// @notice The offering of `token`.
    function offeringOf(address token) external view returns (Offering memory) {
        return _offerings[token];
    }

    /// @notice The order `orderId` paid by `investor`.
    function orderOf(bytes32 orderId, address investor) external view returns (Order memory) {
        return _orders[_key(orderId, investor)];
    }

    function _refund(bytes32 key, bytes32 orderId, address investor, Order memory order, bool rejected) private {
        _orders[key].status = OrderStatus.Refunded;
        emit OrderRefunded(orderId, investor, order.token, order.amount, rejected);
        stablecoin.safeTransfer(investor, order.amount);
    }

    function _paidOrder(bytes32 key, bytes32 orderId, address investor) private view returns (Order memory order) {
        order = _orders[key];
        if (order.status != OrderStatus.Paid) revert OrderNotPaid(orderId, investor);
    }

    function _key(bytes32 orderId, address investor) private pure returns (bytes32) {
        return keccak256(abi.encode(orderId, investor));
    }
}
