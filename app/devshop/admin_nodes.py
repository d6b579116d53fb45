"""The simulator's Admin API objects: SimShop data rendered as Shopify's GraphQL types.

Field names, GIDs, enum values and scalar encodings (Money as a decimal string, UnsignedInt64 as a
string, DateTime as ISO 8601 UTC) follow the Admin API 2026-07 schema. Object-valued fields are
callables so that nothing is built unless the query selects it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.devshop.gql_exec import connection, gid, gid_number
from app.devshop.state import SimShop

# Presentment prices for US shoppers; a fixed rate keeps the demo deterministic.
USD_PER_EUR = Decimal("1.08")
TIME_SORT = {"UPDATED_AT": lambda o: (o["updated_at"], o["id"]), "CREATED_AT": lambda o: (o["created_at"], o["id"]),
             "ID": lambda o: o["id"]}


def lazy(fn):
    return lambda _ctx, **_args: fn()


def money(amount: Decimal, currency: str) -> dict:
    return {"__typename": "MoneyV2", "amount": amount, "currencyCode": currency}


def money_bag(amount: Decimal, currency: str, presentment: str | None = None) -> dict:
    presentment = presentment or currency
    shown = amount if presentment == currency else (amount * USD_PER_EUR).quantize(Decimal("0.01"))
    return {"__typename": "MoneyBag", "shopMoney": money(amount, currency),
            "presentmentMoney": money(shown, presentment)}


def _time_fields(obj: dict) -> dict:
    return {"updated_at": obj["updated_at"], "created_at": obj["created_at"], "id": obj["id"]}


def supported_actions(fo: dict) -> tuple[str, ...]:
    """Shopify offers MOVE only while nothing of the fulfillment order has been fulfilled."""
    if fo["status"] == "OPEN":
        return ("CREATE_FULFILLMENT", "MOVE", "HOLD")
    if fo["status"] == "IN_PROGRESS":
        return ("CREATE_FULFILLMENT",)
    return ()


class Nodes:
    def __init__(self, shop: SimShop, api_key: str) -> None:
        self.shop = shop
        self.data = shop.data
        self.api_key = api_key

    # -- shop and locations ----------------------------------------------------------------------------

    def shop_node(self) -> dict:
        s = self.shop
        return {
            "__typename": "Shop", "id": gid("Shop", s.shopify_id), "name": s.name, "email": s.email,
            "contactEmail": s.email, "myshopifyDomain": s.domain, "currencyCode": s.currency,
            "ianaTimezone": s.timezone,
            "billingAddress": {"__typename": "ShopAddress", "countryCodeV2": s.country_code},
            "plan": {"__typename": "ShopPlan", "publicDisplayName": s.plan_name, "partnerDevelopment": False,
                     "shopifyPlus": False},
        }

    def location(self, loc: dict) -> dict:
        return {
            "__typename": "Location", "id": gid("Location", loc["id"]), "name": loc["name"],
            "isActive": loc["active"], "fulfillsOnlineOrders": loc["fulfills_online_orders"],
            "updatedAt": loc["updated_at"], "createdAt": loc["created_at"],
            "address": {"__typename": "LocationAddress", "address1": loc["address1"], "city": loc["city"],
                        "provinceCode": loc["province_code"], "countryCode": loc["country_code"],
                        "zip": loc["zip"], "latitude": loc["latitude"], "longitude": loc["longitude"]},
            "inventoryLevels": self._levels(lambda key: key[1] == loc["id"]),
        }

    def locations(self, ctx, includeInactive: bool = False, **args: Any) -> dict:  # noqa: N803
        items = [loc for loc in self.data["locations"].values() if includeInactive or loc["active"]]
        return connection(lambda: items, self.location, fields=_time_fields)(ctx, **args)

    # -- inventory -------------------------------------------------------------------------------------

    def level(self, key: tuple[int, int]) -> dict:
        item_id, loc_id = key
        lvl = self.data["levels"][key]
        values = {"available": lvl["available"], "on_hand": lvl["on_hand"], "committed": lvl["committed"],
                  "incoming": lvl["incoming"], "reserved": 0, "damaged": 0, "safety_stock": 0,
                  "quality_control": 0}

        def quantities(_ctx, names: list[str]) -> list[dict]:
            return [{"__typename": "InventoryQuantity", "name": n, "quantity": values.get(n, 0)} for n in names]

        return {
            "__typename": "InventoryLevel", "id": f"gid://shopify/InventoryLevel/{loc_id}?inventory_item_id={item_id}",
            "updatedAt": lvl["updated_at"], "createdAt": lvl["created_at"], "isActive": True,
            "quantities": quantities,
            "location": lazy(lambda: self.location(self.data["locations"][loc_id])),
            "item": lazy(lambda: self.inventory_item(self.data["inventory_items"][item_id])),
        }

    def _levels(self, keep):
        def items():
            return [{"key": k, "id": k[1] * 10_000_000_000_000 + k[0], **self.data["levels"][k]}
                    for k in self.data["levels"] if keep(k)]

        return connection(items, lambda row: self.level(row["key"]), fields=_time_fields)

    def inventory_item(self, item: dict) -> dict:
        return {
            "__typename": "InventoryItem", "id": gid("InventoryItem", item["id"]), "sku": item["sku"],
            "tracked": item["tracked"], "countryCodeOfOrigin": item["country_code_of_origin"],
            "harmonizedSystemCode": item["harmonized_system_code"], "updatedAt": item["updated_at"],
            "createdAt": item["created_at"], "inventoryLevels": self._levels(lambda key: key[0] == item["id"]),
            "inventoryLevel": lambda _ctx, locationId: self._one_level(item["id"], gid_number(locationId)),  # noqa: N803
        }

    def _one_level(self, item_id: int, loc_id: int | None) -> dict | None:
        return self.level((item_id, loc_id)) if (item_id, loc_id) in self.data["levels"] else None

    def inventory_items(self, ctx, **args: Any) -> dict:
        return connection(lambda: list(self.data["inventory_items"].values()), self.inventory_item,
                          fields=_time_fields)(ctx, **args)

    # -- products --------------------------------------------------------------------------------------

    def variant(self, v: dict) -> dict:
        return {
            "__typename": "ProductVariant", "id": gid("ProductVariant", v["id"]), "title": v["title"],
            "sku": v["sku"], "price": v["price"], "updatedAt": v["updated_at"], "createdAt": v["created_at"],
            "inventoryItem": lazy(lambda: self.inventory_item(self.data["inventory_items"][v["inventory_item_id"]])),
            "product": lazy(lambda: self.product(self.data["products"][v["product_id"]])),
        }

    def product(self, p: dict) -> dict:
        return {
            "__typename": "Product", "id": gid("Product", p["id"]), "title": p["title"], "handle": p["handle"],
            "vendor": p["vendor"], "productType": p["product_type"], "status": p["status"], "tags": [],
            "updatedAt": p["updated_at"], "createdAt": p["created_at"],
            "featuredMedia": p.get("image_url") and {
                "__typename": "MediaImage", "preview": {"__typename": "MediaPreviewImage", "image": {
                    "__typename": "Image", "url": p["image_url"]}}},
            "variants": connection(lambda: [self.data["variants"][i] for i in p["variant_ids"]], self.variant,
                                   default_sort=lambda v: v["id"]),
        }

    def products(self, ctx, **args: Any) -> dict:
        return connection(lambda: list(self.data["products"].values()), self.product, fields=_time_fields,
                          sort_keys=TIME_SORT)(ctx, **args)

    # -- customers -------------------------------------------------------------------------------------

    def customer(self, c: dict) -> dict:
        orders = [o for o in self.data["orders"].values() if o["customer_id"] == c["id"] and not o["cancelled_at"]]
        email_state = c["email_marketing_state"]
        return {
            "__typename": "Customer", "id": gid("Customer", c["id"]), "firstName": c["first_name"],
            "lastName": c["last_name"], "displayName": f"{c['first_name']} {c['last_name']}",
            "state": c["state"], "locale": c["locale"], "tags": list(c["tags"]), "updatedAt": c["updated_at"],
            "createdAt": c["created_at"], "numberOfOrders": str(len(orders)),
            "amountSpent": money(sum((o["total"] for o in orders), Decimal("0.00")), self.shop.currency),
            "defaultEmailAddress": c["email"] and {
                "__typename": "CustomerEmailAddress", "emailAddress": c["email"],
                "marketingState": "NOT_SUBSCRIBED" if email_state == "REDACTED" else email_state,
                "marketingOptInLevel": c["opt_in_level"], "marketingUpdatedAt": c["consent_updated_at"]},
            "defaultPhoneNumber": c["phone"] and {"__typename": "CustomerPhoneNumber", "phoneNumber": c["phone"]},
            "emailMarketingConsent": c["email"] and {
                "__typename": "CustomerEmailMarketingConsentState", "marketingState": email_state,
                "marketingOptInLevel": c["opt_in_level"], "consentUpdatedAt": c["consent_updated_at"]},
            "smsMarketingConsent": c["phone"] and {
                "__typename": "CustomerSmsMarketingConsentState", "marketingState": c["sms_marketing_state"],
                "marketingOptInLevel": "SINGLE_OPT_IN", "consentUpdatedAt": None},
            "metafield": lambda _ctx, key, namespace=None: self.metafield(gid("Customer", c["id"]), namespace, key),
        }

    def customers(self, ctx, **args: Any) -> dict:
        return connection(lambda: list(self.data["customers"].values()), self.customer, fields=_time_fields,
                          sort_keys=TIME_SORT)(ctx, **args)

    def metafield(self, owner: str, namespace: str | None, key: str) -> dict | None:
        found = self.data["metafields"].get((owner, self.resolve_namespace(namespace), key))
        return found and {"__typename": "Metafield", **found}

    def resolve_namespace(self, namespace: str | None) -> str:
        namespace = namespace or "$app"
        if namespace.startswith("$app"):
            return f"app--{self.api_key}" + namespace[len("$app"):].replace(":", "--", 1)
        return namespace

    # -- orders and checkouts --------------------------------------------------------------------------

    def _line(self, line: dict, presentment: str) -> dict:
        return {
            "__typename": "LineItem", "id": gid("LineItem", line["id"]), "title": line["title"], "name": line["title"],
            "sku": line["sku"], "quantity": line["quantity"], "currentQuantity": line["quantity"],
            "variant": line["variant_id"] and {"__typename": "ProductVariant", "id": gid("ProductVariant",
                                                                                        line["variant_id"])},
            "product": line["product_id"] and {"__typename": "Product", "id": gid("Product", line["product_id"])},
            "originalUnitPriceSet": money_bag(line["price"], line["currency"], presentment),
        }

    def _address(self, a: dict | None) -> dict | None:
        return a and {"__typename": "MailingAddress", "address1": a.get("address1"), "city": a.get("city"),
                      "provinceCode": a.get("province_code"), "countryCodeV2": a.get("country_code"),
                      "zip": a.get("zip"), "latitude": a.get("latitude"), "longitude": a.get("longitude")}

    def order(self, o: dict) -> dict:
        cur, pres = o["currency"], o["presentment_currency"]
        return {
            "__typename": "Order", "id": gid("Order", o["id"]), "name": o["name"], "email": o["email"],
            "createdAt": o["created_at"], "updatedAt": o["updated_at"], "processedAt": o["processed_at"],
            "cancelledAt": o["cancelled_at"], "cancelReason": o["cancel_reason"],
            "displayFinancialStatus": o["financial_status"], "displayFulfillmentStatus": o["fulfillment_status"],
            "currencyCode": cur, "presentmentCurrencyCode": pres, "checkoutToken": o["checkout_token"],
            "cartToken": o["cart_token"], "sourceName": o["source_name"], "tags": list(o["tags"]), "test": o["test"],
            "note": o.get("note"),
            "customer": lazy(lambda: self.customer(self.data["customers"][o["customer_id"]])
                             if o["customer_id"] in self.data["customers"] else None),
            "currentTotalPriceSet": money_bag(o["total"], cur, pres),
            "totalPriceSet": money_bag(o["total"], cur, pres),
            "currentSubtotalPriceSet": money_bag(o["subtotal"], cur, pres),
            "totalShippingPriceSet": money_bag(o["shipping"], cur, pres),
            "shippingAddress": lazy(lambda: self._address(o["shipping_address"])),
            "lineItems": connection(lambda: o["lines"], lambda line: self._line(line, pres)),
            "fulfillmentOrders": lambda ctx, **a: self.fulfillment_orders(o)(ctx, **a),
        }

    def orders(self, ctx, **args: Any) -> dict:
        def fields(o):
            return {**_time_fields(o), "financial_status": o["financial_status"].lower(), "email": o["email"] or ""}

        return connection(lambda: list(self.data["orders"].values()), self.order, fields=fields,
                          sort_keys={**TIME_SORT, "PROCESSED_AT": lambda o: (o["processed_at"], o["id"])})(ctx, **args)

    def fulfillment_orders(self, o: dict):
        # Shopify assigns a new order to one location (the oldest active one here) unless a test placed it.
        fos = self.data["fulfillment_orders"].setdefault(o["id"], [{
            "id": o["id"] + 1, "status": "OPEN" if o["fulfillment_status"] == "UNFULFILLED" else "CLOSED",
            "location_id": min(self.data["locations"]),
            "lines": [{**line, "fulfilled": 0} for line in o["lines"]]}])

        def remaining(fo: dict, line: dict) -> int:
            return 0 if fo["status"] in ("CLOSED", "CANCELLED") else line["quantity"] - line.get("fulfilled", 0)

        def node(fo: dict) -> dict:
            loc = self.data["locations"][fo["location_id"]]
            return {
                "__typename": "FulfillmentOrder", "id": gid("FulfillmentOrder", fo["id"]), "status": fo["status"],
                "assignedLocation": {"__typename": "FulfillmentOrderAssignedLocation", "name": loc["name"],
                                     "location": {"__typename": "Location", "id": gid("Location", loc["id"])}},
                "supportedActions": [{"__typename": "FulfillmentOrderSupportedAction", "action": a}
                                     for a in supported_actions(fo)],
                "lineItems": connection(lambda: fo["lines"], lambda line: {
                    "__typename": "FulfillmentOrderLineItem", "id": gid("FulfillmentOrderLineItem", line["id"]),
                    "remainingQuantity": remaining(fo, line), "totalQuantity": line["quantity"]}),
            }

        return connection(lambda: fos, node)

    def checkout(self, c: dict) -> dict:
        origin = f"https://{self.shop.domain}"
        return {
            "__typename": "AbandonedCheckout", "id": gid("AbandonedCheckout", c["id"]), "name": f"#{c['id']}",
            "abandonedCheckoutUrl": f"{origin}/{self.shop.shopify_id}/checkouts/ac/{c['token']}/recover"
                                    f"?key={c['token'][:16]}",
            "createdAt": c["created_at"], "updatedAt": c["updated_at"], "completedAt": c["completed_at"],
            "customer": lazy(lambda: self.customer(self.data["customers"][c["customer_id"]])
                             if c["customer_id"] in self.data["customers"] else None),
            "totalPriceSet": money_bag(c["total"], c["currency"], c["presentment_currency"]),
            "subtotalPriceSet": money_bag(c["subtotal"], c["currency"], c["presentment_currency"]),
            "shippingAddress": lazy(lambda: self._address(c["shipping_address"])),
            "lineItems": connection(lambda: c["lines"], lambda line: {
                **self._line(line, c["presentment_currency"]), "__typename": "AbandonedCheckoutLineItem",
                "image": line.get("image_url") and {"__typename": "Image", "url": line["image_url"]}}),
        }

    def checkouts(self, ctx, **args: Any) -> dict:
        def fields(c):
            status = "closed" if c["completed_at"] else "open"
            return {**_time_fields(c), "status": status}

        return connection(lambda: list(self.data["checkouts"].values()), self.checkout, fields=fields,
                          sort_keys=TIME_SORT)(ctx, **args)
