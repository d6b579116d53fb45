"""The one topic → handler table. Each handler turns the payload into records and stores them.

Handlers run inside the worker's transaction for the event (see processing.py): their writes and the
event's `done` commit together. Effects outside the database go in `ctx.after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app import store
from app.models import Shop, WebhookEvent
from app.shopify import payloads
from app.shopify.payloads import PayloadError


@dataclass
class EventContext:
    session: Session
    event: WebhookEvent
    shop: Shop | None  # None only for app/uninstalled and compliance topics of a shop we do not know
    data: dict[str, Any]
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def shop_id(self) -> int:
        if self.shop is None:
            raise RuntimeError(f"{self.event.topic} needs a known shop")
        return self.shop.id


Handler = Callable[[EventContext], None]


def handle_orders(ctx: EventContext):
    from app.recovery.service import record_order

    # Any order event may be the first we see of it: stop recovery messages for its checkout at once.
    return record_order(ctx.session, ctx.shop_id, payloads.parse_order(ctx.data))


def handle_orders_paid(ctx: EventContext) -> None:
    from app.membership.service import on_order_paid

    handle_orders(ctx)
    on_order_paid(ctx.session, ctx.shop, payloads.parse_order(ctx.data).shopify_id)


def handle_orders_cancelled(ctx: EventContext) -> None:
    from app.membership.service import on_order_cancelled

    handle_orders(ctx)
    on_order_cancelled(ctx.session, ctx.shop, payloads.parse_order(ctx.data).shopify_id)


def handle_orders_create(ctx: EventContext) -> None:
    from app.membership import priority
    from app.supply.orders import on_order_created
    from app.supply.route_service import schedule_routing

    order = handle_orders(ctx)
    on_order_created(ctx.session, ctx.shop_id, order.shopify_id, payloads.parse_order_service_level(ctx.data))
    schedule_routing(ctx.session, ctx.shop_id, ctx.data, ctx.after_commit)
    # A member whose tier has priority: tag and note the order for the warehouse.
    priority.schedule(ctx.session, ctx.shop_id, order.shopify_id, order.customer_shopify_id, ctx.after_commit)


def handle_orders_fulfilled(ctx: EventContext) -> None:
    handle_orders(ctx)
    from app.supply.fulfillments import record_fulfillment

    for record in payloads.parse_order_fulfillments(ctx.data):
        record_fulfillment(ctx.session, ctx.shop_id, record)


def handle_fulfillments(ctx: EventContext) -> None:
    from app.supply.fulfillments import record_fulfillment

    record_fulfillment(ctx.session, ctx.shop_id, payloads.parse_fulfillment(ctx.data))


handle_fulfillments_create = handle_fulfillments_update = handle_fulfillments


def handle_refunds_create(ctx: EventContext) -> None:
    from app.membership.service import on_refund

    refund = store.upsert_refund(ctx.session, ctx.shop_id, payloads.parse_refund(ctx.data, ctx.shop.currency))
    on_refund(ctx.session, ctx.shop, refund.shopify_id)


def handle_checkouts(ctx: EventContext) -> None:
    from app.recovery.service import record_checkout

    record_checkout(ctx.session, ctx.shop_id, payloads.parse_checkout(ctx.data))


handle_checkouts_create = handle_checkouts_update = handle_checkouts


def handle_carts(ctx: EventContext) -> None:
    from app.recovery.demand_store import record_cart

    # No contact details: never a recovery case, only demand signals (carted and dropped units per day).
    record_cart(ctx.session, ctx.shop_id, payloads.parse_cart(ctx.data))


handle_carts_create = handle_carts_update = handle_carts


def _stock_changed(ctx: EventContext, variant_ids: list[int]) -> None:
    from app.recovery.service import on_stock_changed
    from app.supply import versions

    shop_id = ctx.shop_id
    if variant_ids:
        # Bumped after the commit: a promise computed in between is then keyed by the old version, never the new.
        ctx.after_commit.append(lambda: versions.bump_stock(shop_id, variant_ids))
        # Stock back for a line that was short at abandonment: stage 3's back-in-stock / restock notice.
        on_stock_changed(ctx.session, shop_id, variant_ids)


def _settings_changed(ctx: EventContext) -> None:
    from app.supply import versions

    shop_id = ctx.shop_id
    ctx.after_commit.append(lambda: versions.bump_settings(shop_id))


def handle_inventory_levels_update(ctx: EventContext) -> None:
    from app.supply.service import variants_of_items

    level = store.upsert_inventory_level(ctx.session, ctx.shop_id, payloads.parse_inventory_level(ctx.data))
    _stock_changed(ctx, variants_of_items(ctx.session, ctx.shop_id, [level.inventory_item_id]))


def handle_inventory_items_update(ctx: EventContext) -> None:
    from app.supply.service import variants_of_items

    item = store.upsert_inventory_item(ctx.session, ctx.shop_id, payloads.parse_inventory_item(ctx.data))
    _stock_changed(ctx, variants_of_items(ctx.session, ctx.shop_id, [item.shopify_id]))


def handle_locations(ctx: EventContext) -> None:
    store.upsert_location(ctx.session, ctx.shop_id, payloads.parse_location(ctx.data))
    _settings_changed(ctx)


handle_locations_create = handle_locations_update = handle_locations


def handle_locations_delete(ctx: EventContext) -> None:
    store.deactivate_location(ctx.session, ctx.shop_id, payloads.parse_deleted_id(ctx.data))
    _settings_changed(ctx)


def handle_products(ctx: EventContext) -> None:
    from app.supply.service import variants_of_product

    record = payloads.parse_product(ctx.data, ctx.shop.currency)
    before = variants_of_product(ctx.session, ctx.shop_id, record.shopify_id)
    store.upsert_product(ctx.session, ctx.shop_id, record)
    _stock_changed(ctx, sorted(set(before) | {v.shopify_id for v in record.variants}))


handle_products_create = handle_products_update = handle_products


def handle_products_delete(ctx: EventContext) -> None:
    from app.supply.service import variants_of_product

    product_id = payloads.parse_deleted_id(ctx.data)
    store.mark_product_deleted(ctx.session, ctx.shop_id, product_id)
    _stock_changed(ctx, variants_of_product(ctx.session, ctx.shop_id, product_id))


def handle_customers(ctx: EventContext) -> None:
    store.upsert_customer(ctx.session, ctx.shop_id, payloads.parse_customer(ctx.data))


handle_customers_create = handle_customers_update = handle_customers


def handle_customers_delete(ctx: EventContext) -> None:
    store.mark_customer_deleted(ctx.session, ctx.shop_id, payloads.parse_deleted_id(ctx.data))


def handle_customers_email_marketing_consent_update(ctx: EventContext) -> None:
    store.update_email_consent(ctx.session, ctx.shop_id, payloads.parse_email_consent(ctx.data))


def handle_app_scopes_update(ctx: EventContext) -> None:
    store.set_scopes(ctx.session, ctx.shop, payloads.parse_scopes(ctx.data))


def handle_bulk_operations_finish(ctx: EventContext) -> None:
    record = payloads.parse_bulk_operation(ctx.data)
    # Imported here: the sync package depends on the Admin API client, which webhook intake never needs.
    from app.sync.service import on_bulk_operation_finish

    on_bulk_operation_finish(ctx.session, ctx.shop, record.gid, record.status)


def handle_app_uninstalled(ctx: EventContext) -> None:
    from app.privacy.uninstall import uninstall_shop

    if ctx.shop is not None:
        uninstall_shop(ctx.session, ctx.shop, ctx.event.triggered_at, ctx.after_commit)


def _check_payload_shop(ctx: EventContext, shop_domain: str | None) -> None:
    # The shop header is not signed; the body is. A compliance body must name the shop it arrived for.
    if shop_domain is not None and shop_domain.lower() != ctx.event.shop_domain:
        raise PayloadError(f"shop_domain {shop_domain!r} does not match the delivery's shop")


def handle_customers_data_request(ctx: EventContext) -> None:
    from app.privacy.export import export_customer_data

    request = payloads.parse_customer_privacy(ctx.data)
    _check_payload_shop(ctx, request.shop_domain)
    if ctx.shop is not None:
        export_customer_data(ctx.session, ctx.shop, request, fallback_request_id=ctx.event.webhook_id)


def handle_customers_redact(ctx: EventContext) -> None:
    from app.privacy.redact import redact_customer

    request = payloads.parse_customer_privacy(ctx.data)
    _check_payload_shop(ctx, request.shop_domain)
    redact_customer(ctx.session, ctx.event.shop_domain, ctx.shop, request, current=ctx.event)


def handle_shop_redact(ctx: EventContext) -> None:
    from app.privacy.redact import redact_shop

    request = payloads.parse_shop_redact(ctx.data)
    _check_payload_shop(ctx, request.shop_domain)
    redact_shop(ctx.session, ctx.event, ctx.shop)


HANDLERS: dict[str, Handler] = {
    "orders/create": handle_orders_create,
    "orders/paid": handle_orders_paid,
    "orders/cancelled": handle_orders_cancelled,
    "orders/fulfilled": handle_orders_fulfilled,
    "fulfillments/create": handle_fulfillments_create,
    "fulfillments/update": handle_fulfillments_update,
    "refunds/create": handle_refunds_create,
    "checkouts/create": handle_checkouts_create,
    "checkouts/update": handle_checkouts_update,
    "carts/create": handle_carts_create,
    "carts/update": handle_carts_update,
    "inventory_levels/update": handle_inventory_levels_update,
    "inventory_items/update": handle_inventory_items_update,
    "locations/create": handle_locations_create,
    "locations/update": handle_locations_update,
    "locations/delete": handle_locations_delete,
    "products/create": handle_products_create,
    "products/update": handle_products_update,
    "products/delete": handle_products_delete,
    "customers/create": handle_customers_create,
    "customers/update": handle_customers_update,
    "customers/delete": handle_customers_delete,
    "customers_email_marketing_consent/update": handle_customers_email_marketing_consent_update,
    "app/uninstalled": handle_app_uninstalled,
    "app/scopes_update": handle_app_scopes_update,
    "bulk_operations/finish": handle_bulk_operations_finish,
    "customers/data_request": handle_customers_data_request,
    "customers/redact": handle_customers_redact,
    "shop/redact": handle_shop_redact,
}
