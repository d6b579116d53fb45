"""Server-rendered SVG charts (no script, no CDN), pure: data in, escaped markup out.

Every chart is an `<svg role="img">` with a title and a text description, and its numbers are also on the
page as a table, so screen readers and CSV users lose nothing. Labels are the merchant's own words
(tier and warehouse names) and are escaped like any other output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

COLOURS = ("#005bd3", "#29845a", "#b98900", "#8e1f0b", "#6a3cbc", "#616161")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:,.2f}"


def bars(items: Sequence[tuple[str, float]], title: str, value_text: Callable[[float], str] = _fmt,
         width: int = 460) -> Markup:
    """Horizontal bars, one per item, longest first as given."""
    row, label_w, pad = 24, 150, 8
    height = max(1, len(items)) * row + pad * 2
    top = max((v for _, v in items), default=0) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    bar_w = width - label_w - 70
    for n, (label, value) in enumerate(items):
        y = pad + n * row
        w = max(0.0, value) / top * bar_w
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" rx="3" '
                     f'fill="{COLOURS[n % len(COLOURS)]}"></rect>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{escape(value_text(value))}</text>')
    if not items:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above went through escape()


def lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], title: str,
          width: int = 920, height: int = 200) -> Markup:
    """Daily series as polylines over a shared y axis starting at zero; x labels at the ends and middle."""
    left, right, top, bottom = 44, 10, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((max(values, default=0) for _, values in series), default=0) or 1
    count = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (max(0.0, v) / peak) * plot_h

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for frac in (0, 0.5, 1):
        gy = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="#e3e3e3"></line>'
                     f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end">{escape(_fmt(peak * frac))}</text>')
    for n, (_name, values) in enumerate(series):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{COLOURS[n % len(COLOURS)]}" stroke-width="2" '
                     f'points="{points}"></polyline>')
    for i in sorted({0, (count - 1) // 2, count - 1}):
        if i < len(labels):
            anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"
            parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" text-anchor="{anchor}">{escape(labels[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above went through escape()
