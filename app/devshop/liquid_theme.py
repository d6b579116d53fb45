"""The simulator's stand-in for Shopify's Liquid: renders the real theme app extension blocks (python-liquid)
with the Shopify filters and objects they use, so the dev storefront shows what a shop would.

Implemented: `t` (extension locales, with Shopify's escaping of non-`_html` keys and `{{ name }}`
interpolation), `asset_url`, `json`, `url_encode` and the standard filters; `{% schema %}` is read for the
block's setting defaults and removed before rendering, as Shopify does.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from liquid import Environment, FileSystemLoader
from liquid.filter import with_context

EXTENSION_DIR = Path(__file__).resolve().parents[2] / "extensions" / "flexchain-widgets"
_SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.DOTALL)
_INTERPOLATION = re.compile(r"{{\s*(\w+)\s*}}")


@cache
def translations(language: str) -> dict:
    base = json.loads((EXTENSION_DIR / "locales" / "en.default.json").read_text())
    path = EXTENSION_DIR / "locales" / f"{language}.json"
    return _merge(base, json.loads(path.read_text())) if language != "en" and path.is_file() else base


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


@with_context
def _t(key: object, *, context: Any, **values: object) -> str:
    node: Any = translations(context.globals.get("_fc_language", "en"))
    for part in str(key).split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, str):
        return f"translation missing: {key}"
    text = _INTERPOLATION.sub(lambda m: str(values.get(m.group(1), "")), node)
    return text if str(key).endswith("_html") else escape(text)


@with_context
def _asset_url(name: object, *, context: Any) -> str:
    return f"{context.globals['_fc_asset_base']}/{name}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _url_encode(value: object) -> str:
    from urllib.parse import quote_plus

    return quote_plus(str(value if value is not None else ""))


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(EXTENSION_DIR / "snippets", ext=".liquid"))
    env.add_filter("t", _t)
    env.add_filter("asset_url", _asset_url)
    env.add_filter("json", _json)
    env.add_filter("url_encode", _url_encode)
    return env


@cache
def block_source(name: str) -> tuple[str, dict]:
    """(the block's Liquid without its schema, the schema)."""
    text = (EXTENSION_DIR / "blocks" / f"{name}.liquid").read_text()
    match = _SCHEMA.search(text)
    schema = json.loads(match.group(1)) if match else {}
    return _SCHEMA.sub("", text), schema


def default_settings(schema: dict) -> dict:
    return {s["id"]: s.get("default") for s in schema.get("settings", []) if "id" in s}


def render_block(name: str, objects: dict, *, language: str, asset_base: str, block_id: str,
                 settings: dict | None = None) -> tuple[str, dict]:
    """The block's HTML and its schema (for the assets Shopify would add to the page)."""
    source, schema = block_source(name)
    block = {"id": block_id, "settings": {**default_settings(schema), **(settings or {})}, "shopify_attributes": ""}
    template = environment().from_string(source, globals={"_fc_language": language, "_fc_asset_base": asset_base})
    return template.render(**objects, block=block), schema


def render_liquid(source: str, objects: dict) -> str:
    """An app-proxy `application/liquid` body, rendered as Shopify would (with the shop's objects only)."""
    return Environment().from_string(source).render(**objects)
