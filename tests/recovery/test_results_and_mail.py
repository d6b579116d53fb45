"""Dashboard numbers (two recovery rates, incremental revenue with an interval) and the mail's parts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.mail import tokens
from app.mail.render import Brand, Links, build
from app.recovery import compose, links
from app.recovery.results import CaseRow, summarise
from app.recovery.stages import Offer

T, H = "treatment", "holdout"


def rows():
    out = []
    for n in range(100):  # treatment: 80 reached, 20 converted (all reached), 100.00 each; 15 credited
        converted = n < 20
        out.append(CaseRow(T, n < 80, converted, Decimal(100) if converted else Decimal(0),
                           (1 if n < 10 else 2) if n < 15 else None, ("supply" if n < 10 else "discount") if n < 15
                           else None))
    for n in range(20):  # holdout: 2 of 20 converted
        out.append(CaseRow(H, False, n < 2, Decimal(100) if n < 2 else Decimal(0), None, None))
    return out


def test_results_give_both_rates_recovered_and_incremental_revenue():
    result = summarise(rows(), "EUR")
    assert (result["abandoned"], result["treatment"], result["holdout"], result["reached"]) == (120, 100, 20, 80)
    assert result["recovery_rate"] == {"of_abandoned": 0.2, "of_messaged": 0.25}
    assert result["holdout_conversion_rate"] == 0.1
    assert result["recovered_revenue"] == "1500.00"
    inc = result["incremental_revenue"]
    # (20 - 10) per abandoned checkout × 100 treated checkouts.
    assert inc["amount"] == "1000.00" and Decimal(inc["low"]) < 1000 < Decimal(inc["high"])
    assert [(s["stage"], s["conversions"]) for s in result["by_stage"]] == [(1, 10), (2, 5)]
    assert [(s["offer"], round(s["share"], 2)) for s in result["by_offer"]] == [("discount", 0.33), ("supply", 0.67)]


def test_without_a_holdout_there_is_no_incremental_claim():
    result = summarise([r for r in rows() if r.group == T], "EUR")
    assert result["incremental_revenue"] is None and result["holdout_conversion_rate"] is None
    assert summarise([], "EUR")["recovery_rate"] == {"of_abandoned": None, "of_messaged": None}


OFFER = Offer("supply", earliest=date(2026, 11, 12), latest=date(2026, 11, 14), warehouse="Paris",
              default_latest=date(2026, 11, 26), days_saved=12, saving=Decimal("2.00"), currency="EUR")


def test_the_supply_answer_is_said_with_numbers_in_every_language():
    lines = [("Jacket", 1, Decimal("120.00"), "EUR", None)]
    en = compose.compose(1, OFFER, store="Acme", raw_locale="en", shop_locale=None, lines=lines)
    # Babel puts thin spaces around the dash; compare words.
    assert en.paragraphs[0].replace("\u2009", " ") == (
        "Now ships from our Paris warehouse: arrives Thu, Nov 12 – Sat, Nov 14 instead of Thu, Nov 26.")
    assert en.paragraphs[1] == "That is €2.00 less shipping."
    fr = compose.compose(1, OFFER, store="Acme", raw_locale="fr-FR", shop_locale=None, lines=lines)
    assert "entrepôt de Paris" in fr.paragraphs[0] and "2,00" in fr.paragraphs[1]
    subjects = {loc: compose.compose(1, OFFER, store="Acme", raw_locale=loc, shop_locale=None, lines=lines).subject
                for loc in ("en", "fr", "de", "es", "it", "ja", "zh-CN")}
    assert len(set(subjects.values())) == 7
    # An unknown locale falls back to the shop's language.
    assert compose.compose(1, OFFER, store="Acme", raw_locale="xx", shop_locale="de", lines=lines).language == "de"


def test_mail_has_text_and_html_parts_list_headers_and_escaped_values():
    content = compose.compose(1, OFFER, store="<b>Acme</b> {x}", raw_locale="en", shop_locale=None,
                              lines=[("<script>alert(1)</script>", 2, Decimal("5"), "EUR", None)])
    mail_links = Links("https://app.example/r/c/abc", "https://app.example/r/u/def", "https://app.example/r/o/x.gif")
    msg = build(content, mail_links, Brand("<b>Acme</b> {x}", "#112233", "", "shop@example.com"),
                to="shopper@example.com", message_id="<m1@app.example>", sent_at=datetime(2026, 3, 3, tzinfo=UTC))
    assert msg["List-Unsubscribe"] == "<https://app.example/r/u/def>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "https://app.example/r/c/abc" in text and "2 × <script>alert(1)</script>" in text
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;Acme&lt;/b&gt; {x}" in html
    assert 'style="' in html and "<style" not in html  # inline CSS only
    assert "x.gif" in html


def test_link_tokens_are_signed_per_purpose_and_land_only_on_the_checkout():
    token = tokens.sign("secret", tokens.CLICK, [1, 2])
    assert tokens.verify("secret", tokens.CLICK, token) == [1, 2]
    for bad in (lambda: tokens.verify("secret", tokens.UNSUBSCRIBE, token),
                lambda: tokens.verify("other", tokens.CLICK, token),
                lambda: tokens.verify("secret", tokens.CLICK, token[:-2] + "xx")):
        try:
            bad()
        except tokens.BadToken:
            continue
        raise AssertionError("a bad token was accepted")
    assert tokens.verify("new", tokens.CLICK, token, old_secret="secret") == [1, 2]
    url = "https://acme.myshopify.com/123/checkouts/ab/recover?key=k1"
    assert links.recovery_target(url, "acme.myshopify.com", "BACK-X") == url + "&discount=BACK-X"
    assert links.recovery_target("javascript:alert(1)", "acme.myshopify.com", None) == "https://acme.myshopify.com/cart"
