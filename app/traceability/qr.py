"""QR codes for passports (segno), as SVG a merchant can print on packaging."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str = "Product passport") -> bytes:
    """A scalable SVG (no fixed pixel size) with a quiet zone, error correction M (survives a scuffed label)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, title=title, unit=None,
              svgclass="fc-qr", lineclass=None, omitsize=True, dark="#000", light="#fff")
    return out.getvalue()
