"""The URLs in a recovery mail (signed) and where a click finally lands."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from app.mail import tokens
from app.mail.render import Links


def for_message(app_url: str, secret: str, shop_id: int, message_id: int, email: str) -> Links:
    click = tokens.sign(secret, tokens.CLICK, [shop_id, message_id])
    pixel = tokens.sign(secret, tokens.OPEN, [shop_id, message_id])
    return Links(recovery=f"{app_url}/r/c/{click}", unsubscribe=unsubscribe_url(app_url, secret, shop_id, email),
                 open_pixel=f"{app_url}/r/o/{pixel}.gif")


def unsubscribe_url(app_url: str, secret: str, shop_id: int, email: str) -> str:
    return f"{app_url}/r/u/{tokens.sign(secret, tokens.UNSUBSCRIBE, [shop_id, email.lower()])}"


def recovery_target(checkout_url: str | None, shop_domain: str, discount_code: str | None) -> str:
    """The checkout link Shopify gave (`abandoned_checkout_url`), with the code applied when one was issued;
    without a link, the store's cart. Only https links on Shopify's side are ever followed."""
    url = checkout_url if checkout_url and checkout_url.startswith("https://") else f"https://{shop_domain}/cart"
    if not discount_code:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "discount"] + [("discount", discount_code)]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
