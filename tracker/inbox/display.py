"""The to-dos as pages show them: grouped by kind, each with its words, link and project.

Shared by the inbox page and the home pages (``templates/inbox/_todo_list.html``), so both list the
same to-dos the same way. Project titles come from one query; the to-dos themselves hold none.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from tracker.inbox import rules
from tracker.inbox import services
from tracker.portfolio.models import Project
from tracker.web.forms import translated


@dataclass(frozen=True)
class Item:
    text: str
    url: str
    project: str | None
    oldest: object


@dataclass(frozen=True)
class Group:
    kind: str
    title: str
    items: list


def todo_groups(session, user):
    """``[Group]`` of ``user``'s to-dos, in the order of :data:`rules.KINDS`, with no empty group."""
    todos = services.todos_for(session, user)
    titles = project_titles(session, {todo.project_slug for todo in todos if todo.project_slug})
    groups = []
    for kind in rules.KINDS:
        items = [Item(translated(todo.text), url_for(todo.endpoint, **todo.values), titles.get(todo.project_slug),
                      todo.oldest)
                 for todo in todos if todo.kind == kind.name]
        if items:
            groups.append(Group(kind.name, translated(kind.title), items))
    return groups


def todo_count(session, user):
    return rules.total(services.todos_for(session, user))


def project_titles(session, slugs):
    if not slugs:
        return {}
    return dict(session.execute(sa.select(Project.slug, Project.title).where(Project.slug.in_(sorted(slugs)))).all())
