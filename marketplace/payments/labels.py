"""What people read for the payments' stored values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: An order's payment_status, in the words of Indonesian marketplaces.
ORDER_PAYMENT = {
    "belum_dibayar": _l("Menunggu Pembayaran"),
    "menunggu_konfirmasi": _l("Waiting for confirmation"),
    "dibayar": _l("Paid"),
    "gagal": _l("Payment failed"),
    "batal": _l("Cancelled"),
    "refund_diproses": _l("Refund in progress"),
    "direfund": _l("Dikembalikan"),
}
STATE = {
    "open": _l("Waiting for payment"),
    "submitted": _l("Waiting for confirmation"),
    "paid": _l("Paid"),
    "failed": _l("Payment failed"),
    "expired": _l("Expired"),
}
RECEIPT = {
    "submitted": _l("Waiting for confirmation"),
    "accepted": _l("Confirmed"),
    "rejected": _l("Rejected"),
}
REFUND = {
    "pending": _l("Refund in progress"),
    "completed": _l("Refunded"),
    "failed": _l("Refund failed"),
}
LEDGER = {
    "credit": _l("Completed order"),
    "fee": _l("Platform fee"),
    "payout": _l("Payout"),
}
METHOD = {
    "bank_transfer": _l("Bank transfer"),
    "stripe": _l("Card or e-wallet (Stripe)"),
}


def context() -> dict[str, object]:
    return {"payment_labels": ORDER_PAYMENT, "state_labels": STATE, "receipt_labels": RECEIPT,
            "refund_labels": REFUND, "method_labels": METHOD, "ledger_labels": LEDGER}
