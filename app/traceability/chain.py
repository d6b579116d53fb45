"""The hash chain of a product's provenance records (pure).

A record, as published, is a JSON object; its `hash` is the SHA-256 (hex) of the UTF-8 canonical JSON
(keys sorted, no whitespace, non-ASCII kept as is) of the record without `hash`. Each record's
`prev_hash` is the previous record's `hash` (64 zeros for the first). Anyone can recompute this from a
downloaded passport; nothing here trusts a stored hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from app.traceability.records import StepInput
from app.translatable import N_

GENESIS = "0" * 64
HASHING = ("sha256 of the UTF-8 JSON of the record without `hash`, keys sorted, no whitespace; "
           "prev_hash of the first record is 64 zeros")


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def content(step: StepInput) -> dict[str, Any]:
    """What the merchant said, in the form that is hashed and published."""
    data = asdict(step)
    data["occurred_on"] = step.occurred_on.isoformat()
    data["certificates"] = [{"name": c.name, "url": c.url} for c in step.certificates]
    return data


def content_digest(step: StepInput) -> str:
    """Identity of a step regardless of when it was recorded: the same step sent twice has the same one."""
    return digest(content(step))


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def link(step_content: dict[str, Any], seq: int, recorded_at: datetime, prev_hash: str) -> dict[str, Any]:
    """The published record for a step placed at `seq` after `prev_hash`, with its hash."""
    record = {**step_content, "seq": seq, "recorded_at": stamp(recorded_at), "prev_hash": prev_hash}
    record["hash"] = digest(record)
    return record


def verify_chain(records: Sequence[dict[str, Any]]) -> tuple[str | None, str]:
    """(problem or None, the recomputed head). Records must be in order, numbered from 1."""
    prev = GENESIS
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            return N_("record %(n)s is not an object", n=position), prev
        if record.get("seq") != position:
            return N_("record %(n)s is numbered %(seq)s", n=position, seq=repr(record.get("seq"))), prev
        if record.get("prev_hash") != prev:
            return N_("record %(n)s does not follow record %(previous)s", n=position, previous=position - 1), prev
        body = {k: v for k, v in record.items() if k != "hash"}
        recomputed = digest(body)
        if record.get("hash") != recomputed:
            return N_("record %(n)s was changed after it was recorded", n=position), prev
        prev = recomputed
    return None, prev
