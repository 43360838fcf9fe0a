"""A small inline SVG line chart of one series over years (no script, no external file)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD = 260, 110, 28


def _label(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:g}"


def series_chart(title: str, points: list[tuple[int, float, str]]) -> str:
    """points: (year, value, qualifier), sorted by year; hedged values are hollow dots."""
    years = [p[0] for p in points]
    top = max(p[1] for p in points) or 1.0
    y0, y1 = min(years), max(years)

    def x(year: int) -> float:
        span = (y1 - y0) or 1
        return PAD + (year - y0) / span * (WIDTH - 2 * PAD) if y1 != y0 else WIDTH / 2

    def y(value: float) -> float:
        return HEIGHT - PAD + 8 - value / top * (HEIGHT - PAD - 10)

    line = " ".join(f"{x(a):.1f},{y(v):.1f}" for a, v, _ in points)
    dots = "".join(
        f'<circle cx="{x(a):.1f}" cy="{y(v):.1f}" r="3" '
        f'class="{"exact" if q == "exact" else "hedged"}">'
        f"<title>{a}: {escape(_label(v))} ({escape(q)})</title></circle>"
        for a, v, q in points)
    return (
        f'<svg class="chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD + 8}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD + 8}" '
        f'class="axis"/>'
        f'<polyline points="{line}" class="line"/>{dots}'
        f'<text x="{PAD}" y="{HEIGHT - 4}" class="tick">{y0}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 4}" class="tick" text-anchor="end">{y1}</text>'
        f'<text x="2" y="12" class="tick">max {escape(_label(top))}</text></svg>')
