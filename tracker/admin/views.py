from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from tracker.auth import services
from tracker.auth import two_factor
from tracker.auth.forms import PasswordResetForm
from tracker.auth.forms import ResetTwoFactorForm
from tracker.auth.forms import UserCreateForm
from tracker.auth.forms import UserEditForm
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.portfolio.services import all_projects
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.forms import choices
from tracker.web.pages import action
from tracker.web.pages import form_page
from tracker.web.requests import page_number
from tracker.web.templating import role_label


def role_choices():
    return [(role.value, role_label(role)) for role in Role]


def with_choices(form, role_prompt=None):
    """The role and project choices; ``role_prompt`` first (a new account's role has no default: it is chosen)."""
    form.role.choices = choices(([("", role_prompt)] if role_prompt else []) + role_choices())
    form.projects.choices = choices((project.id, project.title) for project in all_projects(get_session()))
    return form


def hasher():
    return current_app.extensions["tracker.hasher"]


def get_user_or_404(user_id):
    return get_session().get(User, user_id) or abort(404)


@requires("users.manage")
def users():
    session = get_session()
    role = request.args.get("role") if request.args.get("role") in set(Role) else None
    page = paginate(session, services.list_users(session, role), page_number(), current_app.config["ITEMS_PER_PAGE"])
    user_ids = [user.id for user in page.items]
    return render_template("admin/users.html", page=page, roles=role_choices(), role=role,
                           last_logins=services.last_logins(session, user_ids),
                           two_factor_ids=two_factor.enrolled_user_ids(session, user_ids))


@requires("users.manage")
def user_create():
    session = get_session()

    def create(form):
        user = services.create_user(session, hasher(), actor(), email=form.email.data,
                                    display_name=form.display_name.data, role=form.role.data,
                                    password=form.password.data, set_by_administrator=True)
        services.set_memberships(session, actor(), user, form.projects.data)
        flash(_("Account created for %(email)s. They must choose a new password at their first login.",
                email=user.email), "success")

    form = with_choices(UserCreateForm(), role_prompt=_("Choose a role"))
    return form_page(form, "admin/user_form.html", create, url_for(".users"), user=None)


def user_form_data(user):
    return {
        "display_name": user.display_name,
        "role": user.role.value,
        "is_active": user.is_active,
        "is_data_protection_lead": user.is_data_protection_lead,
        "language": user.language or "",
        "projects": sorted(services.member_project_ids(get_session(), user.id)),
    }


def user_edit_form(user):
    return with_choices(UserEditForm(data={**user_form_data(user), "version": user.version}))


@requires("users.manage")
def user_edit(user_id):
    session = get_session()
    user = get_user_or_404(user_id)

    def save(form):
        services.update_user(session, actor(), user, version=form.version.data, display_name=form.display_name.data,
                             role=form.role.data, is_active=form.is_active.data, language=form.language.data,
                             is_data_protection_lead=form.is_data_protection_lead.data)
        services.set_memberships(session, actor(), user, form.projects.data)

    return form_page(user_edit_form(user), "admin/user_form.html", save, url_for(".users"), saved=_("Account saved."),
                     stored=lambda: (user_form_data(user), user.version), user=user, **account_security(user))


@requires("users.manage")
def user_password(user_id):
    """The password-reset form of a user's page: a problem shows that page again with the reason."""
    session = get_session()
    user = get_user_or_404(user_id)

    def reset_password(reset):
        services.set_password(session, hasher(), actor(), user, reset.password.data, set_by_administrator=True)

    return form_page(PasswordResetForm(), "admin/user_form.html", reset_password,
                     url_for(".user_edit", user_id=user.id),
                     saved=_("Password reset; the user's sessions have ended. They must choose a new password at "
                             "their next login."),
                     context_for=lambda reset: {"form": user_edit_form(user), "user": user,
                                                **account_security(user, reset=reset)})


def account_security(user, reset=None):
    """The password-reset and two-factor sections of a user's page."""
    return {"reset": reset or PasswordResetForm(), "reset_two_factor": ResetTwoFactorForm(),
            "two_factor_on": two_factor.is_enrolled(get_session(), user)}


@requires("users.manage")
def user_two_factor_reset(user_id):
    """For a user who lost their authenticator and recovery codes: they set it up again at their next login."""
    session = get_session()
    user = get_user_or_404(user_id)

    def reset(form):
        two_factor.remove_two_factor(session, actor(), user)
        services.revoke_login_sessions(session, user)

    return action(ResetTwoFactorForm(), reset, url_for(".user_edit", user_id=user.id),
                  done=_("Two-factor authentication reset; the user's sessions have ended."))
