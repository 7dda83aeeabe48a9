"""Offset pagination for any SELECT: one COUNT query plus one page query."""

import math
from dataclasses import dataclass

import sqlalchemy as sa

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list
    total: int
    number: int
    per_page: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

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
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(1, number)


def paginate(session, statement, number, per_page, *, unique=False):
    """Run ``statement`` for page ``number`` (1-based) and count all its rows."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    count_statement = sa.select(sa.func.count()).select_from(
        statement.order_by(None).subquery()
    )
    total = session.execute(count_statement).scalar_one()
    result = session.execute(statement.limit(per_page).offset((number - 1) * per_page))
    scalars = result.unique().scalars() if unique else result.scalars()
    return Page(items=list(scalars), total=total, number=number, per_page=per_page)
