"""refunds/create payloads: the refunded amount in shop money (see parse_refund)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.shopify.payload_fields import (
    PayloadError,
    as_int,
    currency,
    decimal,
    items,
    money,
    obj,
    resource_id,
    text,
    timestamp,
)
from app.shopify.records import Money, RefundRecord

Json = dict[str, Any]


def parse_refund(d: Json, shop_currency: str | None = None) -> RefundRecord:
    """Amount: the successful refund transactions; without any, the refunded lines' shop-money subtotals.

    Transactions are in the currency the shopper paid in. When that is not the shop's, the amount is
    converted at the rate the refund's own lines and adjustments carry (their shop and presentment money);
    with no such pair the amount keeps its currency and the ledger leaves it out rather than guess a rate."""
    line_money = [m for m in (money(line, "subtotal", shop_currency) for line in items(d, "refund_line_items")) if m]
    paid = [t for t in items(d, "transactions") if t.get("kind") == "refund" and t.get("status") == "success"]
    if paid:
        total = sum((decimal(t.get("amount"), "transactions[].amount") for t in paid), Decimal(0))
        tx_currency = next((t["currency"] for t in paid if t.get("currency")), None)
        cur = currency(tx_currency, "transactions[].currency") if tx_currency else None
        rate = _refund_rate(d)
        if cur is not None and rate is not None and cur == rate[1] and cur != rate[2]:
            total, cur = (total * rate[0]).quantize(Decimal("0.01")), rate[2]
    else:
        total = sum((m.amount for m in line_money), Decimal(0))
        cur = None
    cur = cur or next((m.currency for m in line_money), None) or shop_currency
    if cur is None:
        raise PayloadError("refund has no currency")
    return RefundRecord(
        shopify_id=resource_id(d),
        order_id=as_int(d.get("order_id"), "order_id"),
        amount=Money(total, cur),
        note=text(d, "note"),
        processed_at=timestamp(d, "processed_at"),
        created_at=timestamp(d, "created_at"),
    )


def _refund_rate(d: Json) -> tuple[Decimal, str, str] | None:
    """(shop money per presentment unit, presentment currency, shop currency) from the refund's money bags."""
    bags = [obj(line, "subtotal_set") for line in items(d, "refund_line_items")]
    bags += [obj(adj, "amount_set") for adj in items(d, "order_adjustments")]
    shop_sum = shown_sum = Decimal(0)
    pair = None
    for bag in bags:
        if not bag:
            continue
        shop, shown = obj(bag, "shop_money"), obj(bag, "presentment_money")
        if not shop or not shown or shop.get("amount") is None or shown.get("amount") is None:
            continue
        codes = (shown.get("currency_code"), shop.get("currency_code"))
        if pair is not None and codes != pair:
            return None
        pair = codes
        shop_sum += abs(decimal(shop["amount"], "shop_money.amount"))
        shown_sum += abs(decimal(shown["amount"], "presentment_money.amount"))
    if pair is None or not shown_sum or not all(pair):
        return None
    return shop_sum / shown_sum, pair[0], pair[1]
