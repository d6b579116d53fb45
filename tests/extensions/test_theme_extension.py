"""The theme app extension as Shopify's CLI and Theme Check see it: layout, Theme Check clean, budgets,
and every locale carrying every key."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extensions" / "flexchain-widgets"
LANGUAGES = ("en.default", "fr", "de", "es", "it", "ja", "zh-CN")
ALLOWED_ASSETS = {".jpg", ".jpeg", ".json", ".js", ".css", ".png", ".svg", ".wasm"}


def test_layout_is_what_shopify_cli_accepts():
    assert (EXTENSION / "shopify.extension.toml").read_text().count('type = "theme"') == 1
    for path in EXTENSION.rglob("*"):
        if path.is_file():
            top = path.relative_to(EXTENSION).parts[0]
            assert top in ("blocks", "snippets", "assets", "locales", "shopify.extension.toml"), path
    assert all(p.suffix in ALLOWED_ASSETS for p in (EXTENSION / "assets").iterdir())


def test_theme_check_reports_no_errors_and_no_warnings():
    node = shutil.which("node")
    modules = ROOT / "node_modules" / "@shopify" / "theme-check-node"
    if node is None or not modules.is_dir():
        pytest.fail("Theme Check needs Node and `npm ci` at the repository root")
    result = subprocess.run([node, "tests/extensions/theme_check.cjs", str(EXTENSION)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 offense(s)" in result.stdout, result.stdout


def test_assets_stay_within_budget():
    js = (EXTENSION / "assets" / "flexchain-promise.js").read_bytes()
    css = (EXTENSION / "assets" / "flexchain-widgets.css").read_bytes()
    assert len(gzip.compress(js, 9)) <= 10_000  # Shopify's threshold for app block JavaScript
    assert len(gzip.compress(css, 9)) <= 5_000  # our own, tighter than Theme Check's 100 KB
    assert b"import " not in js and b"require(" not in js  # no libraries


@pytest.mark.parametrize("kind", ["", ".schema"])
def test_every_locale_has_every_key(kind):
    def keys(obj, prefix=""):
        for key, value in obj.items():
            if isinstance(value, dict):
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    english = set(keys(json.loads((EXTENSION / "locales" / f"en.default{kind}.json").read_text())))
    for language in LANGUAGES[1:]:
        other = json.loads((EXTENSION / "locales" / f"{language}{kind}.json").read_text())
        assert set(keys(other)) == english, language
