"""Every admin page renders inside the shell, in English and in Chinese, for an empty new shop."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import document

PAGES = ("/", "/dashboard", "/recovery", "/membership", "/warehouses", "/traceability", "/status")


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_with_the_shell_nav(admin, path):
    response = document(admin, path)
    assert response.status_code == 200, response.text[:2000]
    html = response.text
    assert '<html lang="en">' in html
    for label in ("Dashboard", "Recovery", "Membership", "Warehouses", "Status"):
        assert f">{label}</a>" in html
    assert "id_token" not in html.split('<nav class="app-nav"')[1].split("</nav>")[0]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_speaks_chinese_when_shopify_says_so(admin, path):
    html = document(admin, path, locale="zh-CN").text
    assert '<html lang="zh-CN">' in html
    assert ">仪表板</a>" in html and ">会员</a>" in html
