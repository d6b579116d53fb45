"""Recovery mail falls back to the shop's primary locale before English, and shows each line's image: from
the abandonedCheckouts query, else from the catalogue (products/* webhooks, the product sync)."""

from __future__ import annotations

from sqlalchemy import select, update

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import Shop, Variant
from app.recovery import compose, texts
from app.recovery.stages import Offer
from app.shopify import gql_records, payloads
from tests.recovery.conftest import checkout_payload
from tests.store.factories import SHOP
from tests.supply.orders_factories import V1
from worker.jobs import recovery as jobs

IMAGE = "https://cdn.shopify.com/s/files/1/jacket-blue.jpg"


def test_language_falls_back_to_the_shops_locale_before_english():
    assert texts.language(None, "de")[0] == "de"
    assert texts.language("pt-BR", "fr-CA")[0] == "fr"  # a language we do not write: the shop's
    assert texts.language("it", "de")[0] == "it"  # the shopper's own comes first
    assert texts.language("en-GB", "de")[0] == "en"  # an English-speaking shopper stays in English
    assert texts.language(None, None)[0] == "en"


def test_only_https_images_are_shown():
    lines = [("A", 1, 1, "USD", IMAGE), ("B", 1, 1, "USD", "http://x.example/a.jpg"),
             ("C", 1, 1, "USD", "javascript:alert(1)"), ("D", 1, 1, "USD", None)]
    content = compose.compose(1, Offer("reminder"), store="S", raw_locale="en", shop_locale=None, lines=lines)
    assert [line.image_url for line in content.lines] == [IMAGE, None, None, None]


def test_the_shops_primary_locale_is_used_when_the_checkout_has_none(app, store, post, inbox):
    with db.session() as s:
        s.execute(update(Shop).where(Shop.id == store).values(primary_locale="de"))
    post("checkouts/create", checkout_payload("loc-1", locale=None))
    jobs.detect()
    jobs.send_due(store)
    (mail,) = inbox.messages
    assert mail["Content-Language"] == "de"
    assert "Ihr Warenkorb" in mail.get_body(("plain",)).get_content()


def test_a_products_webhook_gives_the_variant_its_image_and_the_mail_shows_it(app, store, post, inbox):
    product = build_payload("products/update", shop_domain=SHOP, id=5, admin_graphql_api_id="gid://shopify/Product/5",
                            title="Jacket", updated_at="2030-01-01T00:00:00Z",
                            image={"id": 70, "src": "https://cdn.shopify.com/s/files/1/jacket.jpg"},
                            images=[{"id": 70, "src": "https://cdn.shopify.com/s/files/1/jacket.jpg"},
                                    {"id": 71, "src": IMAGE}],
                            variants=[{"id": V1, "admin_graphql_api_id": f"gid://shopify/ProductVariant/{V1}",
                                       "title": "Blue", "sku": "J-B", "price": "50.00", "image_id": 71,
                                       "inventory_item_id": 9001}])
    post("products/update", product)
    with db.session() as s:
        assert s.scalar(select(Variant.image_url).where(Variant.shopify_id == V1)) == IMAGE
    post("checkouts/create", checkout_payload("img-1"))
    jobs.detect()
    jobs.send_due(store)
    html = inbox.messages[0].get_body(("html",)).get_content()
    assert f'<img src="{IMAGE}" width="60" height="60" alt="Jacket"' in html


def test_image_fields_from_the_admin_api_and_webhooks():
    line = gql_records.line_record({"id": "gid://shopify/AbandonedCheckoutLineItem/1", "title": "T", "quantity": 1,
                                    "originalUnitPriceSet": {"shopMoney": {"amount": "1.00", "currencyCode": "EUR"}},
                                    "image": {"url": IMAGE}})
    assert line.image_url == IMAGE
    product = gql_records.product_record({
        "id": "gid://shopify/Product/5", "title": "T", "featuredMedia": {"preview": {"image": {"url": IMAGE}}},
        "variants": {"nodes": [{"id": "gid://shopify/ProductVariant/7", "title": "V", "price": "1.00"}]}}, "EUR")
    assert product.variants[0].image_url == IMAGE
    bare = payloads.parse_product(build_payload("products/update", images=[], image=None), "USD")
    assert all(v.image_url is None for v in bare.variants)
    assert gql_records.primary_locale([{"locale": "en", "primary": False}, {"locale": "fr", "primary": True}]) == "fr"
    assert gql_records.primary_locale([]) is None
