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


def test_a_mail_servers_refusal_shown_in_a_checkouts_timeline_is_escaped(admin):
    """A failed message's reason can carry an SMTP server's reply: outside text, shown as text."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from app.extensions import db
    from app.models import Checkout, RecoveryCase, RecoveryMessage
    from tests.dashboard.conftest import SHOP

    shop_id = admin.shop_ids[SHOP]
    now = datetime.now(UTC)
    with db.session(shop_id=shop_id) as s:
        checkout = Checkout(shop_id=shop_id, token="tok-hostile", email="x@example.com", currency="USD",
                            total_price=Decimal(10))
        s.add(checkout)
        s.flush()
        case = RecoveryCase(shop_id=shop_id, checkout_id=checkout.id, status="abandoned", email="x@example.com",
                            abandoned_at=now, group="treatment")
        s.add(case)
        s.flush()
        s.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=1, email="x@example.com", state="failed",
                              scheduled_for=now, not_after=now, attempts=1,
                              reason='550 <script>alert("x")</script>'))
    html = document(admin, "/recovery").text
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
