"""Everything a quote reads per request, in one SQL statement: weights, free stock, reservations, restocks.

`loader.load_inventory` plus the weight lookup took six statements and their ORM building; a quote that
misses the cache pays for each round trip, so this reads the same rows in one UNION ALL. It must give
the same `Inventory` as `load_inventory` (tests/supply/test_stock_sql.py compares them). Plain SQL is
not scoped by the shop-bound session, so every branch filters by shop itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Date, DateTime, Integer, String, bindparam, text
from sqlalchemy.orm import Session

from app.supply import types as t

# kind: w = weight of a variant this shop sells (its product not deleted; grams may be NULL),
#       l = Shopify `available` at a location, r = units our live offers hold, i = a restock on its way.
_STOCK = text("""
SELECT 'w' AS kind, v.shopify_id AS variant, CAST(NULL AS BIGINT) AS location, ii.weight_grams AS qty,
       CAST(NULL AS DATE) AS day
  FROM variants v
  JOIN products p ON p.id = v.product_id AND p.shop_id = v.shop_id
  LEFT JOIN inventory_items ii ON ii.shop_id = v.shop_id AND ii.shopify_id = v.inventory_item_id
 WHERE v.shop_id = :shop_id AND v.shopify_id IN :ids AND p.deleted = :false
UNION ALL
SELECT 'l', v.shopify_id, il.location_id, il.available, NULL
  FROM variants v
  JOIN inventory_levels il ON il.shop_id = v.shop_id AND il.inventory_item_id = v.inventory_item_id
 WHERE v.shop_id = :shop_id AND v.shopify_id IN :ids
UNION ALL
SELECT 'r', r.variant_shopify_id, r.location_shopify_id, SUM(r.quantity), NULL
  FROM stock_reservations r
 WHERE r.shop_id = :shop_id AND r.variant_shopify_id IN :ids AND r.expires_at > :now
 GROUP BY r.variant_shopify_id, r.location_shopify_id
UNION ALL
SELECT 'i', s.variant_shopify_id, s.location_shopify_id, s.quantity, s.expected_on
  FROM incoming_stock s
 WHERE s.shop_id = :shop_id AND s.variant_shopify_id IN :ids AND s.expected_on >= :today
""").bindparams(
    bindparam("ids", expanding=True), bindparam("now", type_=DateTime(timezone=True)),
    bindparam("today", type_=Date()),
).columns(kind=String, variant=BigInteger, location=BigInteger, qty=Integer, day=Date)


@dataclass(frozen=True, slots=True)
class VariantStock:
    # Grams per variant this shop sells (None: weight unknown); a variant absent here is unknown.
    weights: dict[int, int | None]
    inventory: t.Inventory


def load_stock(session: Session, shop_id: int, variant_ids: Iterable[int], now: datetime) -> VariantStock:
    ids = sorted(set(variant_ids))
    if not ids:
        return VariantStock({}, t.Inventory())
    weights: dict[int, int | None] = {}
    available: list[tuple[int, int, int]] = []
    reserved: dict[tuple[int, int], int] = {}
    incoming: list[t.IncomingStock] = []
    rows = session.execute(_STOCK, {"shop_id": shop_id, "ids": ids, "false": False, "now": now,
                                    "today": now.date()})
    for kind, variant, location, qty, day in rows:
        if kind == "w":
            weights[variant] = qty
        elif kind == "l":
            available.append((variant, location, qty))
        elif kind == "r":
            reserved[(variant, location)] = int(qty)
        else:
            incoming.append(t.IncomingStock(str(variant), str(location), qty, day))
    levels = [t.StockLevel(str(v), str(loc), units, reserved.get((v, loc), 0)) for v, loc, units in available]
    return VariantStock(weights, t.Inventory.build(levels, incoming))
