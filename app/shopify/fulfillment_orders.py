"""An order's fulfillment orders, read and moved through the Admin GraphQL API, as our own records."""

from __future__ import annotations

from dataclasses import dataclass

from app.shopify.admin_api import AdminClient
from app.shopify.gql_records import connection_nodes
from app.shopify.payload_fields import PayloadError, gid_number

MOVABLE_STATUS = "OPEN"


@dataclass(frozen=True)
class FulfillmentOrderRecord:
    gid: str
    status: str  # OPEN, IN_PROGRESS, SCHEDULED, ON_HOLD, INCOMPLETE, CLOSED, CANCELLED
    location_shopify_id: int | None
    location_name: str | None
    actions: frozenset[str]  # supportedActions, e.g. MOVE, CREATE_FULFILLMENT
    remaining: int  # units still to fulfill
    total: int

    @property
    def started(self) -> bool:
        """Some of it has been fulfilled already (Shopify keeps the order OPEN only before the first parcel)."""
        return self.remaining < self.total

    @property
    def active(self) -> bool:
        return self.status not in ("CLOSED", "CANCELLED")

    def why_not_movable(self) -> str | None:
        if self.status != MOVABLE_STATUS:
            return f"the fulfillment order is {self.status.lower().replace('_', ' ')}"
        if self.started:
            return "part of the order has been fulfilled already"
        if "MOVE" not in self.actions:
            return "Shopify does not allow moving this fulfillment order"
        return None


def parse_fulfillment_orders(data: dict) -> list[FulfillmentOrderRecord]:
    order = data.get("order")
    if order is None:
        raise PayloadError("order not found")
    out = []
    for node in connection_nodes(order, "fulfillmentOrders"):
        if not node.get("id") or not node.get("status"):
            raise PayloadError("fulfillment order without id or status")
        assigned = node.get("assignedLocation") or {}
        location = (assigned.get("location") or {}).get("id")
        lines = connection_nodes(node, "lineItems")
        out.append(FulfillmentOrderRecord(
            gid=node["id"], status=str(node["status"]),
            location_shopify_id=gid_number(location) if location else None,
            location_name=assigned.get("name"),
            actions=frozenset(a.get("action") for a in node.get("supportedActions") or [] if a.get("action")),
            remaining=sum(int(n.get("remainingQuantity") or 0) for n in lines),
            total=sum(int(n.get("totalQuantity") or 0) for n in lines),
        ))
    return out


def fetch_fulfillment_orders(client: AdminClient, order_shopify_id: int) -> list[FulfillmentOrderRecord]:
    data = client.execute("FulfillmentOrdersForOrder", {"orderId": f"gid://shopify/Order/{order_shopify_id}"})
    return parse_fulfillment_orders(data)


def move_fulfillment_order(client: AdminClient, fulfillment_order_gid: str, location_shopify_id: int) -> int | None:
    """Move the whole fulfillment order; returns the location Shopify now reports. Raises UserErrors when refused."""
    data = client.execute("FulfillmentOrderMove", {
        "id": fulfillment_order_gid, "newLocationId": f"gid://shopify/Location/{location_shopify_id}"})
    moved = (data.get("fulfillmentOrderMove") or {}).get("movedFulfillmentOrder") or {}
    location = ((moved.get("assignedLocation") or {}).get("location") or {}).get("id")
    return gid_number(location) if location else None
