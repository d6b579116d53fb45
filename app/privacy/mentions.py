"""Patterns that find a customer's identifiers inside stored bytes (webhook bodies) and job arguments."""

from __future__ import annotations

import re

from app.privacy.footprint import Subject


def _parts(subject: Subject) -> list[str]:
    parts = [rf"(?<![0-9]){cid}(?![0-9])" for cid in sorted(subject.customer_ids)]
    parts += [re.escape(value) for value in sorted(subject.emails | subject.phones)]
    return parts


def mention_pattern(subject: Subject) -> re.Pattern[bytes] | None:
    parts = _parts(subject)
    return re.compile("|".join(parts).encode(), re.IGNORECASE) if parts else None


def text_pattern(subject: Subject) -> re.Pattern[str] | None:
    parts = _parts(subject)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None
