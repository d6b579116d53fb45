"""The access log: which staff member saw which customer's data in the admin, and where.

Views call `log_customer_access` with the customers (or, for a guest's abandoned checkout, the recovery
cases) they are about to show. A row per customer shown lets a customers/redact unlink exactly that person
while the record that someone looked stays.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert

from app.extensions import db
from app.models import CustomerAccess, utcnow


def log_customer_access(shop_id: int, staff_user_id: object, view: str, customer_ids: Iterable[int | None] = (),
                        case_ids: Iterable[int] = ()) -> int:
    """Record in a unit of work of its own (the view's session keeps what it loaded for the template);
    returns the rows written."""
    staff = str(staff_user_id)[:64] if staff_user_id not in (None, "") else None
    now = utcnow()
    rows = [{"shop_id": shop_id, "staff_user_id": staff, "view": view[:64], "customer_shopify_id": cid,
             "recovery_case_id": None, "at": now} for cid in dict.fromkeys(c for c in customer_ids if c is not None)]
    rows += [{"shop_id": shop_id, "staff_user_id": staff, "view": view[:64], "customer_shopify_id": None,
              "recovery_case_id": case_id, "at": now} for case_id in dict.fromkeys(case_ids)]
    if rows:
        with db.session(shop_id=shop_id) as session:
            session.execute(insert(CustomerAccess), rows)
    return len(rows)
