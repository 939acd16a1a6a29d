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


FLAGS = {
    "paid_after_close": _l("Paid after some of the group's orders were closed: check the "
                           "orders and refund what cannot be delivered."),
    "amount_mismatch": _l("Amount or currency does not match: received %(got)s %(currency)s, "
                          "expected %(expected)s %(expected_currency)s. Not accepted."),
    "foreign_session": _l("Stripe session %(got)s does not belong to this order group."),
    "not_whole_rupiah": _l("Stripe reported %(got)s hundredths: not a whole Rupiah amount."),
}


def flag_lines(reason: str) -> list[str]:
    """A payment's stored flag reason ("code|value|..." lines), in the reader's language."""
    lines = []
    for line in filter(None, (reason or "").splitlines()):
        code, *values = line.split("|")
        values += [""] * 4
        label = FLAGS.get(code)
        lines.append(str(label) % {"got": values[0], "currency": values[1],
                                   "expected": values[2], "expected_currency": values[3]}
                     if label is not None else line)
    return lines


def context() -> dict[str, object]:
    return {"flag_lines": flag_lines, "payment_labels": ORDER_PAYMENT, "state_labels": STATE,
            "receipt_labels": RECEIPT, "refund_labels": REFUND, "method_labels": METHOD,
            "ledger_labels": LEDGER}
