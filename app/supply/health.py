"""Stock health per warehouse: stockouts, oversells and days of cover, in a few set-based queries.

* stockout: a variant at zero or below at this warehouse while another active warehouse has it in stock
  (the merchant could rebalance; a variant out everywhere is a buying problem, not a placement one);
* oversell: a variant whose `available` is negative here (Shopify sold more than it held);
* days of cover: units available here / average daily units sold from here over the last 30 days.

Where a sale shipped from: Shopify's order webhooks do not name a location, so a sale is attributed to the
location of the order's first fulfillment (where it really left from), else to the location of the promise
stored with the order (where we expected it to ship), else it is counted as unattributed. Cancelled orders
do not count; orders count by when they were placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Fulfillment, InventoryLevel, Location, Order, OrderLine, OrderPromise, Variant
from app.supply.orders import DEAD_STATUSES

WINDOW_DAYS = 30
LOW_COVER_DAYS = 14  # a variant selling here with less cover than this needs a restock soon


@dataclass(frozen=True)
class WarehouseHealth:
    location_shopify_id: int
    name: str
    variants: int  # variants with a stock level here
    stockouts: int
    oversells: int
    units_available: int  # positive stock only; oversold units are a debt, not negative stock
    units_sold: int  # over the window
    days_of_cover: float | None  # None: nothing sold here in the window
    low_cover_variants: int


@dataclass(frozen=True)
class StockHealth:
    warehouses: list[WarehouseHealth]
    unattributed_units: int  # sold units whose shipping location is unknown
    window_days: int = WINDOW_DAYS


def stock_health(session: Session, shop_id: int, now: datetime) -> StockHealth:
    levels = (
        select(InventoryLevel.location_id.label("loc"), Variant.shopify_id.label("variant"),
               InventoryLevel.available.label("avail"))
        .join(Variant, (Variant.shop_id == InventoryLevel.shop_id)
              & (Variant.inventory_item_id == InventoryLevel.inventory_item_id))
        .join(Location, (Location.shop_id == InventoryLevel.shop_id)
              & (Location.shopify_id == InventoryLevel.location_id))
        .where(InventoryLevel.shop_id == shop_id, Location.active.is_(True))
        .cte("levels"))
    stocked = (select(levels.c.variant, func.sum(case((levels.c.avail > 0, 1), else_=0)).label("places"))
               .group_by(levels.c.variant).cte("stocked"))
    sold = _sold(shop_id, now)
    per_variant_sold = (select(sold.c.loc, sold.c.variant, func.sum(sold.c.qty).label("units"))
                        .where(sold.c.loc.is_not(None)).group_by(sold.c.loc, sold.c.variant).cte("per_variant"))
    positive = case((levels.c.avail > 0, levels.c.avail), else_=0)
    stock_rows = session.execute(
        select(levels.c.loc, func.count(),
               func.sum(case(((levels.c.avail <= 0) & (stocked.c.places > 0), 1), else_=0)),
               func.sum(case((levels.c.avail < 0, 1), else_=0)),
               func.sum(positive),
               func.sum(case(((per_variant_sold.c.units > 0)
                              & (positive * WINDOW_DAYS < LOW_COVER_DAYS * per_variant_sold.c.units), 1), else_=0)))
        .join(stocked, stocked.c.variant == levels.c.variant)
        .outerjoin(per_variant_sold, (per_variant_sold.c.loc == levels.c.loc)
                   & (per_variant_sold.c.variant == levels.c.variant))
        .group_by(levels.c.loc))
    stock = {loc: tuple(int(v or 0) for v in rest) for loc, *rest in stock_rows}
    sales = {loc: int(units) for loc, units in session.execute(
        select(sold.c.loc, func.sum(sold.c.qty)).group_by(sold.c.loc))}
    unattributed = sales.pop(None, 0)
    warehouses = []
    for location in session.scalars(select(Location).where(Location.shop_id == shop_id, Location.active.is_(True))
                                    .order_by(Location.shopify_id)):
        variants, stockouts, oversells, available, low = stock.get(location.shopify_id, (0, 0, 0, 0, 0))
        units = sales.get(location.shopify_id, 0)
        cover = round(available / (units / WINDOW_DAYS), 1) if units else None
        warehouses.append(WarehouseHealth(location.shopify_id, location.name, variants, stockouts, oversells,
                                          available, units, cover, low))
    return StockHealth(warehouses, unattributed)


def _sold(shop_id: int, now: datetime):
    """(location or NULL, variant, quantity) per order line sold in the window."""
    shipped_from = (
        select(Fulfillment.location_shopify_id)
        .where(Fulfillment.shop_id == Order.shop_id, Fulfillment.order_shopify_id == Order.shopify_id,
               Fulfillment.location_shopify_id.is_not(None),
               func.coalesce(Fulfillment.status, "").not_in(DEAD_STATUSES))
        .order_by(Fulfillment.shipped_at, Fulfillment.shopify_id).limit(1)
        .correlate(Order).scalar_subquery())
    promised_from = (
        select(OrderPromise.location_shopify_id)
        .where(OrderPromise.shop_id == Order.shop_id, OrderPromise.order_shopify_id == Order.shopify_id)
        .correlate(Order).scalar_subquery())
    placed = func.coalesce(Order.processed_at, Order.shopify_created_at, Order.created_at)
    return (
        select(func.coalesce(shipped_from, promised_from).label("loc"), OrderLine.variant_id.label("variant"),
               OrderLine.quantity.label("qty"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shop_id == shop_id, Order.cancelled_at.is_(None), OrderLine.variant_id.is_not(None),
               placed >= now - timedelta(days=WINDOW_DAYS), placed < now)
        .cte("sold"))
