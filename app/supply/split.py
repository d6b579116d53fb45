"""Two fallbacks for a cart no single location can ship today: split it, or wait for incoming stock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.supply.types import CartLine, Inventory

if TYPE_CHECKING:
    from app.supply.promise import Site


def greedy_split(lines: Sequence[CartLine], sites: Sequence[Site], free: dict[str, dict[str, int]],
                 max_shipments: int, latest_of: Callable[[Site], date]) -> list[tuple[Site, list[CartLine]]] | None:
    """Assign whole lines to locations: each round takes the location holding the most remaining lines (the
    faster one on a tie), for at most `max_shipments` rounds. Greedy is not optimal, but set cover is NP-hard
    and with three parcels at most the greedy answer is close; None when the lines cannot all be covered."""
    remaining = list(lines)
    used: set[str] = set()
    groups: list[tuple[Site, list[CartLine]]] = []
    while remaining and len(groups) < max_shipments:
        coverage: list[tuple[Site, list[CartLine]]] = []
        for site in sites:
            wid = site.warehouse.id
            if wid in used:
                continue
            covered = [ln for ln in remaining if free[ln.variant_id].get(wid, 0) >= ln.quantity]
            if covered:
                coverage.append((site, covered))
        if not coverage:
            return None
        most = max(len(c) for _, c in coverage)
        tied = [(site, covered) for site, covered in coverage if len(covered) == most]
        site, covered = min(tied, key=lambda sc: (latest_of(sc[0]), sc[0].warehouse.id))
        groups.append((site, covered))
        used.add(site.warehouse.id)
        taken = {ln.variant_id for ln in covered}
        remaining = [ln for ln in remaining if ln.variant_id not in taken]
    return None if remaining else groups


def backorder_ready_on(inventory: Inventory, lines: Sequence[CartLine], warehouse_id: str,
                       free: dict[str, dict[str, int]]) -> date | None:
    """The first date this location holds every line, counting merchant-entered incoming stock; None when
    some line has no known restock that covers it (then no date may be promised). A line short today needs
    incoming units for the shortfall; the latest such arrival decides."""
    ready = date.min
    for line in lines:
        have = free[line.variant_id].get(warehouse_id, 0)
        if have >= line.quantity:
            continue
        for arrives_on, quantity in inventory.incoming.get(line.variant_id, {}).get(warehouse_id, ()):
            have += quantity
            if have >= line.quantity:
                ready = max(ready, arrives_on)
                break
        else:
            return None
    return ready
