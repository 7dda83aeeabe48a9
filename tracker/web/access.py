"""Deny by default: every endpoint declares the permission it needs, or it answers 404.

``@requires(permission)`` guards a portfolio-level route; ``@project_route(permission)``
guards a route under ``/projects/<slug>/``, loads the project and checks membership;
``@sensitive_project_route(permission)`` does the same for sensitive records and
lets the rule's ``break_glass`` roles in with an active, reasoned grant.
``@pending_login`` marks the second-factor steps of a login, the only pages a
login that has passed its password but not its second factor can open.
A user who may not see an object gets 404, exactly as if it did not exist.
"""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import session as cookie_session
from flask import url_for
from flask_login import LoginManager
from flask_login import current_user

from tracker.audit import services as audit
from tracker.audit.services import Actor
from tracker.audit.services import Shown
from tracker.audit.services import record
from tracker.auth import permissions
from tracker.auth import services as auth_services
from tracker.breakglass import services as break_glass
from tracker.db import get_session
from tracker.portfolio.services import get_project

PUBLIC = "public"
PENDING_LOGIN = "pending-login"
PUBLIC_ENDPOINTS = frozenset({"static"})
# Where the cookie session keeps the token of a login that waits for its second factor.
PENDING_KEY = "pending_login"

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
        return permissions.allows(self.role, permission, is_member=is_member,
                                  is_lead=self.user.is_data_protection_lead)


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


def pending_login(view):
    """A step of a login that passed its password and waits for its second factor.

    The view receives the pending ``(login_session, user)``; without one (none,
    expired, revoked, or already completed) the visitor goes back to the login page.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        token = cookie_session.get(PENDING_KEY)
        maximum = timedelta(minutes=current_app.config["SECOND_FACTOR_MINUTES"])
        found = auth_services.find_pending_login(get_session(), token, maximum) if token else None
        if found is None:
            cookie_session.pop(PENDING_KEY, None)
            return redirect(url_for("auth.login"))
        return view(found, *args, **kwargs)

    guarded.required_permission = PENDING_LOGIN
    return guarded


def sensitive_project_route(permission):
    """Like :func:`project_route`, for pages showing a project's sensitive records.

    Users holding ``permission`` on the project pass as usual. A role listed in the
    rule's ``break_glass`` passes only with an active break-the-glass grant for this
    project; without one a GET is sent to the form that asks for the reason
    (other methods get 404). Everyone else gets 404. The view must then call
    :func:`record_sensitive_read` for each sensitive record it shows.
    """
    permissions.RULES[permission]

    def decorate(view):
        @wraps(view)
        def guarded(slug, *args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            session = get_session()
            project = get_project(session, slug)
            if project is None:
                abort(404)
            g.break_glass_grant = None
            if not current_user.can(permission, project):
                if not permissions.may_break_glass(current_user.role, permission):
                    abort(404)
                g.break_glass_grant = break_glass.active_grant(session, current_user.user, project)
                if g.break_glass_grant is None:
                    if request.method != "GET":
                        abort(404)
                    return redirect(url_for("breakglass.request_access", slug=project.slug, next=request.full_path))
            return view(project, *args, **kwargs)

        guarded.required_permission = permission
        guarded.project_scoped = True
        guarded.sensitive = True
        return guarded

    return decorate


def break_glass_grants(session, permission):
    """``{project id: grant}`` of the user's active grants, if the rule lets the role break the glass (read once)."""
    if not permissions.may_break_glass(current_user.role, permission):
        return {}
    if "break_glass_grants" not in g:
        g.break_glass_grants = break_glass.active_grants(session, current_user.user)
    return g.break_glass_grants


def sensitive_scope(session, permission):
    """Project ids whose records under ``permission`` the user sees beyond the roles that see them everywhere.

    Derived from the same rule as the detail pages
    (:func:`tracker.auth.permissions.scoped_project_ids`): memberships for the
    rule's member roles, active grants for its break-the-glass roles.
    """
    return permissions.scoped_project_ids(current_user.role, permission, current_user.project_ids,
                                          break_glass_grants(session, permission))


def record_shown(session, object_type, permission, records, where):
    """Audit one page of a list, search or export that shows ``records`` (each with ``id`` and ``project_id``).

    One ``read`` entry per record names it and where it was shown; where the user
    reads it through a break-the-glass grant, the entry carries the grant's reason.
    """
    by_project = {}
    for item in records:
        by_project.setdefault(item.project_id, []).append(item.id)
    grants = break_glass_grants(session, permission)
    shown = []
    for project_id, ids in sorted(by_project.items()):
        member = project_id in current_user.project_ids
        grant = None if permissions.allows(current_user.role, permission, is_member=member) else grants.get(project_id)
        shown.append(Shown(project_id, tuple(ids), grant.reason if grant else None, grant.id if grant else None))
    audit.record_shown(session, actor(), object_type, shown, where=where)


def record_sensitive_read(session, object_type, object_id, project):
    """Audit that this request shows a sensitive record; under break-the-glass, with the grant's reason."""
    grant = g.get("break_glass_grant")
    return record(session, actor(), "read", object_type, object_id, project_id=project.id,
                  reason=grant.reason if grant else None,
                  details={"break_glass_grant": grant.id} if grant else None)


def enforce_declared_permission():
    """Refuse (404) any endpoint whose view declares no permission: deny by default."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "required_permission", None) is None:
        abort(404)
    return None


# What a user whose password was set by an administrator may still open: the page to change it, and logging out.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.account", "auth.logout"})


def require_password_change():
    """Send a user whose password an administrator set to the change-password page until they change it.

    Public pages and the steps of a login pass; so does the API, whose tokens the user made themselves.
    """
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS | PASSWORD_CHANGE_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.blueprint == "api" or getattr(view, "required_permission", None) in (PUBLIC, PENDING_LOGIN):
        return None
    if current_user.is_authenticated and current_user.user.must_change_password:
        return redirect(url_for("auth.account"))
    return None


def safe_next(target):
    """Only follow ``next`` to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


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
    app.before_request(require_password_change)
