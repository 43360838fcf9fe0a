"""Render a text with highlighted spans as HTML: every span is an element carrying its row's
`data-id`, even where spans overlap (HTML elements cannot cross, so a span that crosses
another is closed and reopened around it; each piece carries the same `data-id`)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    layer: str  # CSS class and table: fact, event, plan, skipped
    row_id: str
    title: str


def _open(span: Span, first: bool) -> str:
    anchor = f' id="{escape(span.row_id)}"' if first else ""
    return (f'<mark class="hl {escape(span.layer)}"{anchor} data-id="{escape(span.row_id)}" '
            f'title="{escape(span.title)}">')


def _nesting_key(span: Span) -> tuple:
    """Outer spans first: earlier start, then longer, then a fixed order."""
    return (span.start, -span.end, span.layer, span.row_id)


def highlight(text: str, spans: list[Span]) -> str:
    """`text` escaped, with one or more `<mark data-id=…>` elements per span."""
    spans = sorted((s for s in spans if 0 <= s.start <= s.end <= len(text)), key=_nesting_key)
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    empty = [s for s in spans if s.start == s.end]
    opened: set[str] = set()
    stack: list[Span] = []
    out: list[str] = []

    def open_span(span: Span) -> None:
        out.append(_open(span, span.row_id not in opened))
        opened.add(span.row_id)

    for a, b in zip(bounds, bounds[1:] + [None], strict=True):
        for span in (s for s in empty if s.start == a):
            while stack:   # an empty span sits at the top level, before the text at `a`
                stack.pop()
                out.append("</mark>")
            open_span(span)
            out.append("</mark>")
        if b is None:
            break
        wanted = [s for s in spans if s.start <= a and s.end >= b and s.start < s.end]
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] == wanted[keep]:
            keep += 1
        while len(stack) > keep:
            stack.pop()
            out.append("</mark>")
        for span in wanted[keep:]:
            open_span(span)
            stack.append(span)
        out.append(escape(text[a:b]))
    out.extend("</mark>" for _ in stack)
    return "".join(out)
