"""The simulator's mutations behind tier perks, with Shopify's userErrors: automatic discounts for a
customer segment (a percentage off, free shipping; edit, delete), renaming a segment, and orderUpdate
(the priority note on a member's order).
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.devshop import catalog
from app.devshop.gql_exec import gid, gid_number


def _err(field: list[str], message: str, code: str | None = None) -> dict:
    error = {"__typename": "DiscountUserError" if code else "UserError", "field": field, "message": message}
    if code:
        error["code"] = code
    return error


class PerkMutations:
    def __init__(self, shop) -> None:
        self.shop = shop
        self.data = shop.data
        self.data.setdefault("automatic_discounts", {})

    def fields(self) -> dict:
        return {"discountAutomaticBasicCreate": self.basic_create, "discountAutomaticBasicUpdate": self.basic_update,
                "discountAutomaticFreeShippingCreate": self.shipping_create,
                "discountAutomaticFreeShippingUpdate": self.shipping_update,
                "discountAutomaticDelete": self.delete, "segmentUpdate": self.segment_update,
                "orderUpdate": self.order_update}

    # -- validation shared by both kinds ------------------------------------------------------------------
    def _check(self, root: str, d: dict) -> list[dict]:
        errors = []
        if not (d.get("title") or "").strip():
            errors.append(_err([root, "title"], "Title can't be blank", "BLANK"))
        for k, segment in enumerate(((d.get("context") or {}).get("customerSegments") or {}).get("add") or []):
            if gid_number(segment) not in self.data.get("segments", {}):
                errors.append(_err([root, "context", "customerSegments", "add", str(k)],
                                   "Customer segment does not exist", "INVALID"))
        if not d.get("startsAt") and root.endswith("Create"):
            pass  # Shopify starts it now
        return errors

    def _node(self, number: int, typename: str) -> dict:
        d = self.data["automatic_discounts"][number]
        return {"__typename": "DiscountAutomaticNode", "id": gid("DiscountAutomaticNode", number),
                "automaticDiscount": {"__typename": typename, "title": d["title"], "status": d["status"]}}

    def _save(self, number: int, kind: str, d: dict) -> None:
        self.data["automatic_discounts"][number] = {
            "kind": kind, "title": d["title"], "status": "ACTIVE", "input": d,
            "segments": ((d.get("context") or {}).get("customerSegments") or {}).get("add") or [],
            "updated_at": datetime.now(UTC)}

    # -- basic (a percentage or amount off) ---------------------------------------------------------------
    def _basic_errors(self, d: dict, root: str) -> list[dict]:
        errors = self._check(root, d)
        pct = ((d.get("customerGets") or {}).get("value") or {}).get("percentage")
        if pct is not None and not 0 < float(pct) <= 1:
            errors.append(_err([root, "customerGets", "value", "percentage"], "Value must be between 0.0 and 1.0",
                               "VALUE_OUTSIDE_RANGE"))
        return errors

    def basic_create(self, _ctx, automaticBasicDiscount: dict) -> dict:  # noqa: N803 - Shopify's argument name
        errors = self._basic_errors(automaticBasicDiscount, "automaticBasicDiscount")
        if errors:
            return {"automaticDiscountNode": None, "userErrors": errors}
        number = catalog.new_id(self.shop)
        self._save(number, "basic", automaticBasicDiscount)
        return {"automaticDiscountNode": self._node(number, "DiscountAutomaticBasic"), "userErrors": []}

    def basic_update(self, _ctx, id: str, automaticBasicDiscount: dict) -> dict:  # noqa: A002, N803
        number = gid_number(id)
        if self.data["automatic_discounts"].get(number, {}).get("kind") != "basic":
            return {"automaticDiscountNode": None, "userErrors": [_err(["id"], "Discount does not exist", "INVALID")]}
        errors = self._basic_errors(automaticBasicDiscount, "automaticBasicDiscount")
        if errors:
            return {"automaticDiscountNode": None, "userErrors": errors}
        self._save(number, "basic", automaticBasicDiscount)
        return {"automaticDiscountNode": self._node(number, "DiscountAutomaticBasic"), "userErrors": []}

    # -- free shipping ------------------------------------------------------------------------------------
    def _shipping_errors(self, d: dict, root: str) -> list[dict]:
        errors = self._check(root, d)
        cap = d.get("maximumShippingPrice")
        if cap is not None and float(cap) < 0:
            errors.append(_err([root, "maximumShippingPrice"], "Maximum shipping price must be greater than 0",
                               "GREATER_THAN"))
        return errors

    def shipping_create(self, _ctx, freeShippingAutomaticDiscount: dict) -> dict:  # noqa: N803
        errors = self._shipping_errors(freeShippingAutomaticDiscount, "freeShippingAutomaticDiscount")
        if errors:
            return {"automaticDiscountNode": None, "userErrors": errors}
        number = catalog.new_id(self.shop)
        self._save(number, "shipping", freeShippingAutomaticDiscount)
        return {"automaticDiscountNode": self._node(number, "DiscountAutomaticFreeShipping"), "userErrors": []}

    def shipping_update(self, _ctx, id: str, freeShippingAutomaticDiscount: dict) -> dict:  # noqa: A002, N803
        number = gid_number(id)
        if self.data["automatic_discounts"].get(number, {}).get("kind") != "shipping":
            return {"automaticDiscountNode": None, "userErrors": [_err(["id"], "Discount does not exist", "INVALID")]}
        errors = self._shipping_errors(freeShippingAutomaticDiscount, "freeShippingAutomaticDiscount")
        if errors:
            return {"automaticDiscountNode": None, "userErrors": errors}
        self._save(number, "shipping", freeShippingAutomaticDiscount)
        return {"automaticDiscountNode": self._node(number, "DiscountAutomaticFreeShipping"), "userErrors": []}

    def delete(self, _ctx, id: str) -> dict:  # noqa: A002
        if self.data["automatic_discounts"].pop(gid_number(id), None) is None:
            return {"deletedAutomaticDiscountId": None,
                    "userErrors": [_err(["id"], "Discount does not exist", "INVALID")]}
        return {"deletedAutomaticDiscountId": id, "userErrors": []}

    # -- segments -----------------------------------------------------------------------------------------
    def segment_update(self, _ctx, id: str, name: str | None = None, query: str | None = None) -> dict:  # noqa: A002
        segment = self.data.get("segments", {}).get(gid_number(id))
        if segment is None:
            return {"segment": None, "userErrors": [_err(["id"], "Segment does not exist")]}
        if name is not None:
            if not name.strip():
                return {"segment": None, "userErrors": [_err(["name"], "Name can't be blank")]}
            if any(s["name"] == name and s is not segment for s in self.data["segments"].values()):
                return {"segment": None, "userErrors": [_err(["name"], "Name has already been taken")]}
            segment["name"] = name
        if query is not None:
            segment["query"] = query
        return {"segment": segment, "userErrors": []}

    # -- orders -------------------------------------------------------------------------------------------
    def order_update(self, _ctx, input: dict) -> dict:  # noqa: A002 - Shopify's argument name
        order = self.data.get("orders", {}).get(gid_number(input.get("id")))
        if order is None:
            return {"order": None, "userErrors": [_err(["id"], "Order does not exist")]}
        if "note" in input:
            if input["note"] is not None and len(input["note"]) > 5000:
                return {"order": None, "userErrors": [_err(["note"], "Note is too long (maximum is 5000 characters)")]}
            catalog.modify(self.shop, "orders", order["id"], note=input["note"])
        if "tags" in input:
            catalog.modify(self.shop, "orders", order["id"], tags=[t.strip() for t in input["tags"] if t.strip()])
        return {"order": {"__typename": "Order", "id": input["id"], "note": order.get("note"),
                          "tags": list(order.get("tags", []))}, "userErrors": []}
