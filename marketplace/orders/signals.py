"""What happens to orders, for the domains that react to it (payments refunds a cancelled
paid order and credits the ledger at completion; notifications send emails).

Senders emit after their transaction has committed, as ``signal.send(order_or_group,
actor=user_or_None)``: receivers get the order (or group) as blinker's positional sender
and ``actor`` as a keyword (a User, or None for the system).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A checkout placed a group: sender=group.
orders_placed = _signals.signal("orders-placed")
#: An order's payment was confirmed (it moved to Diproses): sender=order.
order_paid = _signals.signal("order-paid")
#: An order was cancelled (reason in order.cancel_reason); if it had been paid its
#: payment_status is REFUND_PENDING and the payments domain refunds it: sender=order.
order_cancelled = _signals.signal("order-cancelled")
#: An order was shipped or made ready for pickup: sender=order.
order_shipped = _signals.signal("order-shipped")
#: An order completed (buyer confirmed or auto-completed): sender=order.
order_completed = _signals.signal("order-completed")
#: An unpaid order expired and its stock returned: sender=order.
order_expired = _signals.signal("order-expired")
