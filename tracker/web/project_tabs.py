"""The tabs of a project's pages. Each area registers its own tab when its blueprint is registered."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker.auth.permissions import RULES


@dataclass(frozen=True)
class ProjectTab:
    endpoint: str
    label: object
    permission: str
    order: int


def register_project_tab(app, endpoint, label, permission, order):
    """Add a tab (a view taking ``slug``) to every project's navigation, shown to users holding ``permission``."""
    RULES[permission]
    tabs = app.extensions.setdefault("tracker.project_tabs", [])
    tabs.append(ProjectTab(endpoint, label, permission, order))
    tabs.sort(key=lambda tab: tab.order)


def visible_tabs(user, project):
    return [tab for tab in current_app.extensions.get("tracker.project_tabs", [])
            if user.is_authenticated and user.can(tab.permission, project)]


def init_app(app):
    register_project_tab(app, "portfolio.project_detail", _l("Overview"), "project.view", 0)
