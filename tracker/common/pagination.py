"""Offset pagination for any SELECT: one COUNT query plus one page query."""

import math
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.db_types import MAX_ID

MAX_PER_PAGE = 200


def last_page(total, per_page):
    """The number of the last page of ``total`` items (1 for an empty list)."""
    return max(1, math.ceil(total / per_page))


@dataclass
class Page:
    items: list
    total: int
    number: int
    per_page: int

    @property
    def pages(self):
        return last_page(self.total, self.per_page)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages

    @property
    def first_index(self):
        return 0 if self.total == 0 else (self.number - 1) * self.per_page + 1

    @property
    def last_index(self):
        return min(self.total, self.number * self.per_page)


def clamp_page_number(value):
    """The page a ``?page=`` value asks for: 1 for anything but a number of 1 or more, at most :data:`MAX_ID`.

    No list has more rows than there are ids, and the page's offset must stay a number the database takes;
    :func:`paginate` then shows the last page for any number past it.
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(1, number), MAX_ID)


def paginate(session, statement, number, per_page, *, unique=False, clamp=True):
    """Run ``statement`` for page ``number`` (1-based) and count all its rows.

    A number past the last page shows the last page, as a reader following an old link or typing a large
    number expects; with ``clamp=False`` it is an empty page instead (the API's lists: a client pages on
    until ``next`` is null).
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    count_statement = sa.select(sa.func.count()).select_from(
        statement.order_by(None).subquery()
    )
    total = session.execute(count_statement).scalar_one()
    if clamp:
        number = min(number, last_page(total, per_page))
    result = session.execute(statement.limit(per_page).offset((number - 1) * per_page))
    scalars = result.unique().scalars() if unique else result.scalars()
    return Page(items=list(scalars), total=total, number=number, per_page=per_page)
