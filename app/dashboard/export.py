"""CSV export of the dashboard's tables, safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel, LibreOffice and
Google Sheets, and tier, warehouse and offer names are the merchant's (or an attacker's) text: such cells get
a leading apostrophe (OWASP's advice), so they open as text. Plain numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def to_csv(sections: Iterable[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> str:
    """One block per section: its name, a header row, its rows, then a blank line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for name, header, rows in sections:
        writer.writerow([cell(name)])
        writer.writerow([cell(h) for h in header])
        for row in rows:
            writer.writerow([cell(v) for v in row])
        writer.writerow([])
    return out.getvalue()


def dashboard_sections(data: dict) -> list[tuple[str, Sequence[str], list]]:
    rec, prev = data["recovery"], data["recovery_previous"]
    inc = rec["incremental"] or {}
    p, q = data["period"], data["previous"]
    return [
        ("period", ["from", "to", "previous_from", "previous_to", "currency"],
         [[p.start.isoformat(), p.end.isoformat(), q.start.isoformat(), q.end.isoformat(), data["currency"]]]),
        ("recovery", ["metric", "value", "previous"], [
            [k, rec[k], prev[k]] for k in ("abandoned", "reached", "converted", "recovery_rate", "recovered_revenue")
        ] + [["incremental_revenue", inc.get("amount"), (prev["incremental"] or {}).get("amount")],
             ["incremental_low_95", inc.get("low"), None], ["incremental_high_95", inc.get("high"), None]]),
        ("revenue_by_offer", ["offer", "conversions", "revenue"],
         [[o["offer"], o["conversions"], o["revenue"]] for o in data["offers"]]),
        ("members_by_tier", ["tier", "members"], [[t["tier"], t["members"]] for t in data["members"]["by_tier"]]),
        ("members_by_segment", ["segment", "members"],
         [[s["segment"], s["members"]] for s in data["members"]["by_segment"]]),
        ("tier_migration", ["from", "to", "moves"], [[m["from"], m["to"], m["moves"]] for m in data["tier_moves"]]),
        *((f"{kind[:-1]}_migration_by_month", ["month", "from", "to", "customers"],
           [[m["month"], m["from"], m["to"], m["customers"]] for m in data["migrations"][kind]])
          for kind in ("tiers", "segments")),
        ("repurchase_by_tier", ["tier", "orders", "repeat_orders", "rate"],
         [[r["tier"], r["orders"], r["repeat_orders"], r["rate"]] for r in data["repurchase"]]),
        *[(f"promise_accuracy_by_{by}", [by, "delivered", "on_time_share", "mean_days_late"],
           [[r["key"], r["delivered"], r["on_time"], r["mean_days_late"]] for r in data["accuracy"][by]])
          for by in ("warehouse", "lane", "tier")],
        ("handling_by_tier", ["tier", "orders", "met", "missed", "open", "share_met"],
         [[h["tier"], h["orders"], h["met"], h["missed"], h["open"], h["share_met"]] for h in data["handling"]]),
        ("stock_by_warehouse",
         ["warehouse", "stockouts", "oversells", "units_available", "units_sold", "days_of_cover"],
         [[w["warehouse"], w["stockouts"], w["oversells"], w["units_available"], w["units_sold"], w["days_of_cover"]]
          for w in data["stock"]["warehouses"]]),
        ("daily_recovery", ["day", "abandoned", "converted", "recovered_revenue"],
         [[s["day"].isoformat(), s["abandoned"], s["converted"], s["revenue"]] for s in data["series"]]),
    ]
