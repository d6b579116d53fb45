"""Provenance steps from a merchant's CSV (pure): every row validated before anything is recorded.

Columns (header row required, any order, names case-insensitive): product_id, stage, place, date, and
optionally lot, country, latitude, longitude, actor, description, certificate, certificate_url,
footprint_kg, supersedes. One certificate per row; a step with several certificates goes through the
admin API. Errors name the row (as a spreadsheet numbers it, header = 1) and the column, never the value.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from app.traceability.records import InvalidStep, StepInput, parse_step
from app.translatable import N_

COLUMNS = ("product_id", "lot", "stage", "place", "country", "latitude", "longitude", "date", "actor",
           "description", "certificate", "certificate_url", "footprint_kg", "supersedes")
REQUIRED = ("product_id", "stage", "place", "date")
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class InvalidCsv(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the CSV")


def parse_csv(data: bytes | str, today: date) -> list[tuple[int, StepInput]]:
    """(product id, step) for every row, in file order; InvalidCsv listing every problem otherwise."""
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    header = _header(reader)
    errors: list[RowError] = []
    out: list[tuple[int, StepInput]] = []
    row_number = 1
    try:
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if row_number - 1 > MAX_ROWS:
                raise InvalidCsv([RowError(row_number, None, N_("at most %(max)s rows per file", max=MAX_ROWS))])
            if len(row) != len(header):
                errors.append(RowError(row_number, None, N_("expected %(expected)s cells, found %(found)s",
                                                              expected=len(header), found=len(row))))
                continue
            parsed = _row(dict(zip(header, row, strict=True)), row_number, today, errors)
            if parsed is not None:
                out.append(parsed)
    except csv.Error:
        errors.append(RowError(row_number + 1, None, N_("this row is not valid CSV")))
    if errors:
        raise InvalidCsv(errors)
    if not out:
        raise InvalidCsv([RowError(2, None, N_("the file has no rows"))])
    return out


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            too_big = N_("the file must be at most %(mb)s MB", mb=MAX_BYTES // 1024 // 1024)
            raise InvalidCsv([RowError(0, None, too_big)])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidCsv([RowError(0, None, N_("the file must be UTF-8 text"))]) from None
    return data.removeprefix("\ufeff")


def _header(reader) -> list[str]:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidCsv([RowError(1, None, N_("the file is empty"))]) from None
    except csv.Error:
        raise InvalidCsv([RowError(1, None, N_("the header row is not valid CSV"))]) from None
    errors = [RowError(1, None, N_("column %(n)s is not one of: %(columns)s", n=i, columns=", ".join(COLUMNS)))
              for i, name in enumerate(header, start=1) if name not in COLUMNS]
    errors += [RowError(1, name, N_("this column is required")) for name in REQUIRED if name not in header]
    if len(set(header)) != len(header):
        errors.append(RowError(1, None, N_("a column appears twice")))
    if errors:
        raise InvalidCsv(errors)
    return header


def _row(cells: dict[str, str], row_number: int, today: date, errors: list[RowError]) -> tuple[int, StepInput] | None:
    raw_id = cells.get("product_id", "").strip()
    product_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and 0 < int(raw_id) < 2**63 else None
    if product_id is None:
        errors.append(RowError(row_number, "product_id", N_("must be the product's numeric Shopify id")))
    raw = {k: v for k, v in cells.items() if k not in ("product_id", "certificate", "certificate_url")}
    if cells.get("certificate", "").strip() or cells.get("certificate_url", "").strip():
        raw["certificates"] = [{"name": cells.get("certificate", ""), "url": cells.get("certificate_url") or None}]
    try:
        step = parse_step(raw, today)
    except InvalidStep as exc:
        errors.extend(RowError(row_number, name, message) for name, message in exc.errors.items())
        return None
    return (product_id, step) if product_id is not None else None
