"""Schemas and helpers shared by the API's resource modules: problems, pagination, small value types."""

from typing import Annotated
from typing import Generic
from typing import TypeVar

from flask import current_app
from flask import request
from flask import url_for
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints

from tracker.common.pagination import MAX_PER_PAGE
from tracker.common.pagination import paginate
from tracker.db_types import MAX_ID

T = TypeVar("T")

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def text(max_length, min_length=0):
    """A string field of at most ``max_length`` characters (services clean it further)."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length)]


class Schema(BaseModel):
    """Base of every API schema: unknown properties are refused, names are the JSON names."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FieldError(Schema):
    field: str | None = Field(description="The field at fault (dotted path for nested fields), or null for the "
                                          "request as a whole.")
    message: str


class Problem(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem; it leads to its description in the docs.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path of the request that failed.")
    errors: list[FieldError] | None = Field(default=None, description="Field errors, for 400 and 422.")


class PageQuery(Schema):
    """Query parameters of a list; unknown parameters are refused (400), so a typo never goes unnoticed."""

    page: int = Field(default=1, ge=1, le=MAX_ID, description="Page number, from 1.")
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}.")


class Page(Schema, Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int = Field(description="Items on all pages together.")
    next: str | None = Field(description="Path of the next page, with the same filters; null on the last page.")


def page_of(page_class, session, statement, query, serialise, *, unique=False):
    """Run ``statement`` for the page ``query`` asks for and wrap it as ``page_class`` (a ``Page[...]``)."""
    per_page = query.per_page if "per_page" in query.model_fields_set else current_app.config["API_ITEMS_PER_PAGE"]
    page = paginate(session, statement, query.page, per_page, unique=unique, clamp=False)
    return page_class(items=serialise(page.items), page=page.number, per_page=page.per_page, total=page.total,
                      next=next_link(page))


def next_link(page):
    if page.number * page.per_page >= page.total:
        return None
    arguments = request.args.to_dict()
    arguments.update(page=page.number + 1, per_page=page.per_page)
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


class NamedRef(Schema):
    id: int
    name: str
