"""Pages of a long list: at most PER_PAGE rows a page, the page number read from ?page=, bad
numbers answered with 404. Lists count their rows with one COUNT and fetch one page with
LIMIT/OFFSET on an index, so no page grows with the size of the ward."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request

PER_PAGE = 50
# ?page= beyond this is refused before any query: no list of a ward is that long.
MAX_PAGE = 100_000


def page_number() -> int:
    """?page= as a number from 1; anything else (0, -1, "abc", 10**9) is a 404."""
    raw = request.args.get("page")
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or len(raw) > 6:
        abort(404)
    number = int(raw)
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int = PER_PAGE
    # True when `total` is a cap ("more than 1,000") rather than the exact count.
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first_index(self) -> int:
        """Position in the whole list of the first row shown (1-based)."""
        return self.offset + 1

    def nearby(self, width: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last, and a few around this one; None is a gap."""
        wanted = {1, self.pages} | set(range(max(1, self.number - width), min(self.pages, self.number + width) + 1))
        numbers: list[int | None] = []
        for n in sorted(wanted):
            if numbers and numbers[-1] is not None and n - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def check_in_range(page: Page) -> Page:
    """A page after the last one is a 404 (page 1 of an empty list is fine)."""
    if page.number > page.pages:
        abort(404)
    return page
