"""CSV import: every row checked first; errors name row and column, never echo the cell."""

from __future__ import annotations

from datetime import date

import pytest

from app.traceability.csv_import import InvalidCsv, parse_csv

TODAY = date(2026, 11, 25)
HEADER = "product_id,stage,place,date,country,certificate,certificate_url,footprint_kg\n"


def test_rows_become_steps_in_order():
    text = "\ufeff" + HEADER + ('7,raw material,"Biella, <b>north</b>",2026-03-02,IT,GOTS,https://e.org/g,1.5\n'
                                "\n8,packing,Porto,2026-04-01,PT,,,\n")
    rows = parse_csv(text.encode(), TODAY)
    assert [(pid, s.stage, s.place) for pid, s in rows] == [
        (7, "raw_material", "Biella, <b>north</b>"), (8, "packing", "Porto")]
    assert rows[0][1].certificates[0].name == "GOTS"


@pytest.mark.parametrize(("text", "expected"), [
    (b"", [(1, None, "the file is empty")]),
    (b"\xff\xfe", [(0, None, "UTF-8")]),
    (b"product_id,stage,place\n", [(1, "date", "required")]),
    (HEADER.replace("country", "<script>").encode(), [(1, None, "column 5 is not one of")]),
    (HEADER.encode(), [(2, None, "no rows")]),
    ((HEADER + "x,teleport,,2026-99-01,Narnia,,,\n7,packing,P,2026-01-01\n").encode(), [
        (2, "product_id", "numeric"), (2, "stage", "one of"), (2, "place", "required"), (2, "date", "YYYY"),
        (2, "country", "ISO"), (3, None, "expected 8 cells")]),
])
def test_problems_are_listed_by_row_and_column(text, expected):
    with pytest.raises(InvalidCsv) as refused:
        parse_csv(text, TODAY)
    got = [(e.row, e.field, e.message) for e in refused.value.errors]
    assert len(got) == len(expected)
    for (row, field, message), (erow, efield, emessage) in zip(sorted(got, key=str), sorted(expected, key=str),
                                                               strict=True):
        assert (row, field) == (erow, efield) and emessage in message
    assert "Narnia" not in str(got) and "<script>" not in str(got)
