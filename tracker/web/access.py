"""Deny by default: every endpoint declares the permission it needs, or it answers 404.

``@requires(permission)`` guards a portfolio-level route; ``@project_route(permission)``
guards a route under ``/projects/<slug>/``, loads the project and checks membership.
A user who may not see an object gets 404, exactly as if it did not exist.
"""

from datetime import timedelta
from functools import wraps

from flask import abort
from flask import current_app
from flask import request
from flask_login import LoginManager
from flask_login import current_user

from tracker.audit.services import Actor
from tracker.auth import permissions
from tracker.auth import services as auth_services
from tracker.db import get_session
from tracker.portfolio.services import get_project

PUBLIC = "public"
PUBLIC_ENDPOINTS = frozenset({"static"})

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


class SignedInUser:
    """The user behind this request, with its login session and memberships loaded once."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user, login_session, token, project_ids):
        self.user = user
        self.login_session = login_session
        self.token = token
        self.project_ids = project_ids

    def get_id(self):
        return self.token

    @property
    def id(self):
        return self.user.id

    @property
    def email(self):
        return self.user.email

    @property
    def display_name(self):
        return self.user.display_name

    @property
    def role(self):
        return self.user.role

    @property
    def language(self):
        return self.user.language

    def can(self, permission, project=None):
        """Return whether this user holds ``permission`` (on ``project``, if given)."""
        is_member = project is not None and project.id in self.project_ids
        return permissions.allows(self.role, permission, is_member=is_member)


@login_manager.user_loader
def load_signed_in_user(token):
    session = get_session()
    timeout = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    found = auth_services.find_login_session(session, token, timeout)
    if found is None:
        return None
    login_session, user = found
    if auth_services.touch_login_session(session, login_session):
        session.commit()
    project_ids = auth_services.member_project_ids(session, user.id)
    return SignedInUser(user, login_session, token, project_ids)


def public(view):
    """Mark a view as reachable without logging in (login, health)."""
    view.required_permission = PUBLIC
    return view


def requires(permission):
    """Require login and ``permission`` granted everywhere (not through membership)."""
    permissions.RULES[permission]  # fail at import time on a typo

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(404)
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate


def project_route(permission):
    """Require login and ``permission`` on the project named by the route's ``slug``.

    The view receives the loaded ``project`` instead of ``slug``.
    """
    permissions.RULES[permission]

    def decorate(view):
        @wraps(view)
        def guarded(slug, *args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            project = get_project(get_session(), slug)
            if project is None or not current_user.can(permission, project):
                abort(404)
            return view(project, *args, **kwargs)

        guarded.required_permission = permission
        guarded.project_scoped = True
        return guarded

    return decorate


def enforce_declared_permission():
    """Refuse (404) any endpoint whose view declares no permission: deny by default."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "required_permission", None) is None:
        abort(404)
    return None


def actor():
    """The audit actor for this request."""
    return Actor(
        user_id=current_user.id,
        email=current_user.email,
        role=current_user.role.value,
        ip=request.remote_addr,
    )


def init_app(app):
    login_manager.init_app(app)
    app.before_request(enforce_declared_permission)
