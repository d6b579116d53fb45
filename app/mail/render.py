"""Recovery mail as MIME: a plain-text part and an HTML part with inline CSS, and the list headers.

The HTML keeps to what common clients display: tables for layout, inline styles (many clients drop
<style> blocks), no scripts, images with width and alt text. Every value is escaped by the template engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.recovery.compose import Content

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, **values) -> str:
    """Any mail template under app/templates/mail, autoescaped when it is HTML."""
    return _env().get_template(name).render(**values)


@dataclass(frozen=True)
class Links:
    recovery: str  # through our click redirect
    unsubscribe: str  # the one-click URL (GET shows a page, POST unsubscribes)
    open_pixel: str | None


@dataclass(frozen=True)
class Brand:
    store: str
    color: str
    sender_name: str
    sender_email: str


def render_parts(content: Content, links: Links, brand: Brand) -> tuple[str, str]:
    values = {"c": content, "links": links, "brand": brand}
    return _env().get_template("recovery.txt").render(**values), _env().get_template("recovery.html").render(**values)


def build(content: Content, links: Links, brand: Brand, *, to: str, message_id: str, sent_at: datetime,
          tags: dict[str, str] | None = None) -> EmailMessage:
    text, html = render_parts(content, links, brand)
    msg = EmailMessage()
    msg["Subject"] = content.subject
    msg["From"] = formataddr((brand.sender_name or brand.store, brand.sender_email))
    msg["To"] = str(Address(addr_spec=to))
    msg["Date"] = format_datetime(sent_at)
    # Stable per message: a resend after a crash carries the same id, so receivers can fold duplicates.
    msg["Message-ID"] = message_id
    msg["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (tags or {}).items():
        msg[f"X-Flexchain-{name}"] = value
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # After the body: set_content drops every Content-* header set before it.
    msg["Content-Language"] = content.language
    return msg
