"""The simulator's Admin API mutations, with Shopify's userErrors for input Shopify would refuse."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from app.devshop import catalog
from app.devshop.admin_nodes import Nodes, supported_actions
from app.devshop.gql_exec import gid, gid_number

METAFIELD_TYPES = {"number_integer", "number_decimal", "single_line_text_field", "multi_line_text_field", "boolean",
                   "json", "date", "date_time", "money", "list.single_line_text_field"}
TAGGABLE = {"Customer": "customers", "Order": "orders", "Product": "products"}


def _err(field: list[str] | None, message: str, code: str | None = None) -> dict:
    error: dict[str, Any] = {"__typename": "UserError", "field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def _owner(nodes: Nodes, owner_gid: str | None) -> dict | None:
    kind = (owner_gid or "").split("/")[-2] if owner_gid and owner_gid.count("/") >= 4 else None
    table = TAGGABLE.get(kind or "")
    number = gid_number(owner_gid)
    return nodes.data[table].get(number) if table and number else None


class Mutations:
    def __init__(self, nodes: Nodes, run_bulk) -> None:
        self.nodes = nodes
        self.data = nodes.data
        self.run_bulk = run_bulk

    def root(self) -> dict:
        return {
            "__typename": "Mutation", "tagsAdd": self.tags_add, "tagsRemove": self.tags_remove,
            "metafieldsSet": self.metafields_set, "metafieldDefinitionCreate": self.metafield_definition_create,
            "segmentCreate": self.segment_create, "discountCodeBasicCreate": self.discount_code_basic_create,
            "fulfillmentOrderMove": self.fulfillment_order_move, "bulkOperationRunQuery": self.bulk_run_query,
        }

    def _tags(self, id: str, tags: list[str], add: bool) -> dict:  # noqa: A002 - Shopify's argument name
        obj = _owner(self.nodes, id)
        if obj is None:
            return {"node": None, "userErrors": [_err(["id"], "The resource with the given id could not be found")]}
        clean = [t.strip() for t in tags if t.strip()]
        if not clean:
            return {"node": None, "userErrors": [_err(["tags"], "Tags can't be blank")]}
        if any(len(t) > 255 for t in clean):
            return {"node": None, "userErrors": [_err(["tags"], "Tags can't be longer than 255 characters")]}
        current = list(obj.get("tags", []))
        new = sorted(set(current) | set(clean)) if add else [t for t in current if t not in clean]
        kind = id.split("/")[-2]
        catalog.modify(self.nodes.shop, TAGGABLE[kind], obj["id"], tags=new)
        return {"node": {"__typename": kind, "id": id}, "userErrors": []}

    def tags_add(self, _ctx, id: str, tags: list[str]) -> dict:  # noqa: A002
        return self._tags(id, tags, add=True)

    def tags_remove(self, _ctx, id: str, tags: list[str]) -> dict:  # noqa: A002
        return self._tags(id, tags, add=False)

    def metafields_set(self, _ctx, metafields: list[dict]) -> dict:
        errors = []
        if len(metafields) > 25:
            errors.append(_err(["metafields"], "Exceeded the maximum metafields input limit of 25.",
                               "LESS_THAN_OR_EQUAL_TO"))
        for k, mf in enumerate(metafields):
            if _owner(self.nodes, mf.get("ownerId")) is None:
                errors.append(_err(["metafields", str(k), "ownerId"], "Owner does not exist.", "INVALID"))
            if not mf.get("key") or len(mf["key"]) < 2:
                errors.append(_err(["metafields", str(k), "key"], "Key is too short (minimum is 2 characters)",
                                   "TOO_SHORT"))
            if mf.get("type") and mf["type"] not in METAFIELD_TYPES:
                errors.append(_err(["metafields", str(k), "type"], f"Type '{mf['type']}' is not a valid type.",
                                   "INVALID_TYPE"))
            elif mf.get("type") == "number_integer" and not str(mf.get("value", "")).lstrip("-").isdigit():
                errors.append(_err(["metafields", str(k), "value"], "Value must be an integer.", "INVALID_VALUE"))
        if errors:
            return {"metafields": None, "userErrors": errors}
        now = datetime.now(UTC)
        saved = []
        for mf in metafields:
            namespace = self.nodes.resolve_namespace(mf.get("namespace"))
            key = (mf["ownerId"], namespace, mf["key"])
            digest = hashlib.sha256(json.dumps([namespace, mf["key"], mf["value"]]).encode()).hexdigest()
            record = {"id": gid("Metafield", catalog.new_id(self.nodes.shop)), "namespace": namespace,
                      "key": mf["key"], "value": mf["value"], "type": mf.get("type", "single_line_text_field"),
                      "compareDigest": digest, "updatedAt": now}
            self.data["metafields"][key] = {**self.data["metafields"].get(key, {}), **record}
            saved.append({"__typename": "Metafield", **self.data["metafields"][key]})
        return {"metafields": saved, "userErrors": []}

    def metafield_definition_create(self, _ctx, definition: dict) -> dict:
        namespace = self.nodes.resolve_namespace(definition.get("namespace"))
        key = (definition.get("ownerType"), namespace, definition.get("key"))
        if key in self.data["metafield_definitions"]:
            return {"createdDefinition": None, "userErrors": [
                _err(["definition", "key"], "Key is in use for CUSTOMER metafields on the 'namespace' namespace.",
                     "TAKEN")]}
        if definition.get("type") not in METAFIELD_TYPES:
            return {"createdDefinition": None, "userErrors": [
                _err(["definition", "type"], "Type is invalid", "INCLUSION")]}
        access = definition.get("access") or {}
        created = {
            "__typename": "MetafieldDefinition", "id": gid("MetafieldDefinition", catalog.new_id(self.nodes.shop)),
            "namespace": namespace, "key": definition["key"], "name": definition.get("name"),
            "type": {"__typename": "MetafieldDefinitionType", "name": definition["type"]},
            "ownerType": definition.get("ownerType"),
            "access": {"__typename": "MetafieldAccess", "admin": access.get("admin", "MERCHANT_READ_WRITE"),
                       "storefront": access.get("storefront", "NONE")},
        }
        self.data["metafield_definitions"][key] = created
        return {"createdDefinition": created, "userErrors": []}

    def segment_create(self, _ctx, name: str, query: str) -> dict:
        if not name.strip():
            return {"segment": None, "userErrors": [_err(["name"], "Name can't be blank")]}
        if not query.strip():
            return {"segment": None, "userErrors": [_err(["query"], "Query can't be blank")]}
        if any(s["name"] == name for s in self.data["segments"].values()):
            return {"segment": None, "userErrors": [_err(["name"], "Name has already been taken")]}
        number = catalog.new_id(self.nodes.shop)
        segment = {"__typename": "Segment", "id": gid("Segment", number), "name": name, "query": query,
                   "creationDate": datetime.now(UTC)}
        self.data["segments"][number] = segment
        return {"segment": segment, "userErrors": []}

    def discount_code_basic_create(self, _ctx, basicCodeDiscount: dict) -> dict:  # noqa: N803
        d = basicCodeDiscount
        errors = []
        if not (d.get("title") or "").strip():
            errors.append(_err(["basicCodeDiscount", "title"], "Title can't be blank", "BLANK"))
        code = (d.get("code") or "").strip()
        if not code:
            errors.append(_err(["basicCodeDiscount", "code"], "Code can't be blank", "BLANK"))
        elif any(x["code"].lower() == code.lower() for x in self.data["discounts"].values()):
            errors.append(_err(["basicCodeDiscount", "code"], "Code must be unique. Please try a different code.",
                               "TAKEN"))
        pct = ((d.get("customerGets") or {}).get("value") or {}).get("percentage")
        if pct is not None and not 0 < float(pct) <= 1:
            errors.append(_err(["basicCodeDiscount", "customerGets", "value", "percentage"],
                               "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE"))
        errors += self._discount_limits(d)
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        number = catalog.new_id(self.nodes.shop)
        customers = ((d.get("context") or {}).get("customers") or {}).get("add") or []
        self.data["discounts"][number] = {"code": code, "title": d["title"], "input": d, "customers": customers,
                                          "usage_limit": d.get("usageLimit"), "starts_at": d.get("startsAt"),
                                          "ends_at": d.get("endsAt")}
        return {"codeDiscountNode": {
            "__typename": "DiscountCodeNode", "id": gid("DiscountCodeNode", number),
            "codeDiscount": {"__typename": "DiscountCodeBasic", "title": d["title"], "status": "ACTIVE",
                             "codes": lambda _ctx, **_a: {"__typename": "DiscountRedeemCodeConnection", "nodes": [
                                 {"__typename": "DiscountRedeemCode", "code": code}]}},
        }, "userErrors": []}

    def _discount_limits(self, d: dict) -> list[dict]:
        """What Shopify refuses about who may use a code, how often and when."""
        errors = []
        for k, customer in enumerate(((d.get("context") or {}).get("customers") or {}).get("add") or []):
            if gid_number(customer) not in self.data.get("customers", {}):
                errors.append(_err(["basicCodeDiscount", "context", "customers", "add", str(k)],
                                   "Customer does not exist", "INVALID"))
        if d.get("usageLimit") is not None and int(d["usageLimit"]) < 1:
            errors.append(_err(["basicCodeDiscount", "usageLimit"], "Usage limit must be greater than 0",
                               "GREATER_THAN"))
        starts, ends = d.get("startsAt"), d.get("endsAt")
        if starts and ends and datetime.fromisoformat(ends.replace("Z", "+00:00")) <= datetime.fromisoformat(
                starts.replace("Z", "+00:00")):
            errors.append(_err(["basicCodeDiscount", "endsAt"], "Ends at needs to be after starts_at", "INVALID"))
        return errors

    def fulfillment_order_move(self, _ctx, id: str, newLocationId: str, fulfillmentOrderLineItems=None) -> dict:  # noqa: A002, N803
        fo_number, loc_number = gid_number(id), gid_number(newLocationId)
        fo = next((f for fos in self.data["fulfillment_orders"].values() for f in fos if f["id"] == fo_number), None)
        empty = {"movedFulfillmentOrder": None, "originalFulfillmentOrder": None, "remainingFulfillmentOrder": None}
        location = self.data["locations"].get(loc_number)
        refusal = None
        if fo is None:
            refusal = _err(["id"], "Fulfillment order does not exist.")
        elif location is None:
            refusal = _err(["newLocationId"], "Location does not exist.")
        elif "MOVE" not in supported_actions(fo):
            refusal = _err(["id"], "Cannot move a fulfillment order that is not open or has been fulfilled in part.")
        elif not location["active"] or not location["fulfills_online_orders"]:
            refusal = _err(["newLocationId"], "The location must be active and fulfill online orders.")
        elif fo["location_id"] == loc_number:
            refusal = _err(["newLocationId"], "The fulfillment order is already assigned to this location.")
        elif not self._stocks_every_line(fo, loc_number):
            refusal = _err(["newLocationId"], "The new location does not stock every item of the fulfillment order.")
        if refusal is not None:
            return {**empty, "userErrors": [refusal]}
        fo["location_id"] = loc_number
        node = {"__typename": "FulfillmentOrder", "id": id, "status": fo["status"],
                "assignedLocation": {"__typename": "FulfillmentOrderAssignedLocation", "name": location["name"],
                                     "location": {"__typename": "Location", "id": newLocationId}}}
        # Moved whole: Shopify reassigns the original fulfillment order rather than creating another.
        return {"movedFulfillmentOrder": node, "originalFulfillmentOrder": node, "remainingFulfillmentOrder": None,
                "userErrors": []}

    def _stocks_every_line(self, fo: dict, location_id: int) -> bool:
        for line in fo["lines"]:
            variant = self.data["variants"].get(line.get("variant_id"))
            if variant is not None and (variant["inventory_item_id"], location_id) not in self.data["levels"]:
                return False
        return True

    def bulk_run_query(self, _ctx, query: str, groupObjects: bool = False) -> dict:  # noqa: N803
        return self.run_bulk(query)
