"""Small bar charts drawn on the server as inline SVG: no script, no chart library. Each chart is
decorative for screen readers (aria-hidden); the table beside it carries the same numbers."""
from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 150
WIDTH = 480


def bars(rows: list[tuple[str, int | float]], *, unit: str = "", target: float | None = None,
         maximum: float | None = None) -> Markup:
    """Horizontal bars, one a row of (label, value): label on the left, value at the bar's end,
    and the target as a dashed line when there is one (for percentages)."""
    top = maximum if maximum else max([v for _, v in rows] + [target or 0, 1])
    span = WIDTH - LABEL_WIDTH - 60
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {max(height, 20)}" width="100%" aria-hidden="true" '
             f'focusable="false" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">']
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = 0 if not value else max(2, round(span * min(value, top) / top))
        text = escape(label if len(label) <= 22 else label[:21] + "…")
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="0" y="{y + 16}" class="chart-label">{text}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" class="chart-bar"/>'
                     f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" class="chart-value">{escape(shown)}</text>')
    if target is not None and top:
        x = LABEL_WIDTH + round(span * min(target, top) / top)
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" class="chart-target"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
