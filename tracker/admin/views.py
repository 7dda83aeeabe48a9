from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth import services
from tracker.auth import two_factor
from tracker.auth.forms import PasswordResetForm
from tracker.auth.forms import ResetTwoFactorForm
from tracker.auth.forms import UserCreateForm
from tracker.auth.forms import UserEditForm
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.common.pagination import clamp_page_number
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.portfolio.services import all_projects
from tracker.web.access import actor
from tracker.web.access import requires
from tracker.web.conflicts import render_conflict
from tracker.web.forms import apply_errors
from tracker.web.forms import choices
from tracker.web.templating import role_label


def role_choices():
    return [(role.value, role_label(role)) for role in Role]


def with_choices(form):
    form.role.choices = choices(role_choices())
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
    page = paginate(session, services.list_users(session, role), clamp_page_number(request.args.get("page")),
                    current_app.config["ITEMS_PER_PAGE"])
    user_ids = [user.id for user in page.items]
    return render_template("admin/users.html", page=page, roles=role_choices(), role=role,
                           last_logins=services.last_logins(session, user_ids),
                           two_factor_ids=two_factor.enrolled_user_ids(session, user_ids))


@requires("users.manage")
def user_create():
    session = get_session()
    form = with_choices(UserCreateForm())
    if form.validate_on_submit():
        try:
            user = services.create_user(session, hasher(), actor(), email=form.email.data,
                                        display_name=form.display_name.data, role=form.role.data,
                                        password=form.password.data)
            services.set_memberships(session, actor(), user, form.projects.data)
        except ValidationFailed as error:
            session.rollback()
            apply_errors(form, error)
        else:
            session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None)


def user_form_data(user):
    return {
        "display_name": user.display_name,
        "role": user.role.value,
        "is_active": user.is_active,
        "language": user.language or "",
        "projects": sorted(services.member_project_ids(get_session(), user.id)),
    }


@requires("users.manage")
def user_edit(user_id):
    session = get_session()
    user = get_user_or_404(user_id)
    form = with_choices(UserEditForm(data={**user_form_data(user), "version": user.version}))
    if form.validate_on_submit():
        try:
            services.update_user(session, actor(), user, version=form.version.data,
                                 display_name=form.display_name.data, role=form.role.data,
                                 is_active=form.is_active.data, language=form.language.data)
            services.set_memberships(session, actor(), user, form.projects.data)
            session.commit()
        except (EditConflict, StaleDataError):
            session.rollback()
            return render_conflict("admin/user_form.html", form, user_form_data(user), user.version, user=user,
                                   **account_security(user))
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user, **account_security(user))


@requires("users.manage")
def user_password(user_id):
    session = get_session()
    user = get_user_or_404(user_id)
    reset = PasswordResetForm()
    if reset.validate_on_submit():
        try:
            services.set_password(session, hasher(), actor(), user, reset.password.data)
        except ValidationFailed as error:
            apply_errors(reset, error)
        else:
            session.commit()
            flash(_("Password reset; the user's sessions have ended."), "success")
            return redirect(url_for(".user_edit", user_id=user.id))
    form = with_choices(UserEditForm(data={**user_form_data(user), "version": user.version}))
    return render_template("admin/user_form.html", form=form, user=user, **account_security(user, reset=reset))


def account_security(user, reset=None):
    """The password-reset and two-factor sections of a user's page."""
    return {"reset": reset or PasswordResetForm(), "reset_two_factor": ResetTwoFactorForm(),
            "two_factor_on": two_factor.is_enrolled(get_session(), user)}


@requires("users.manage")
def user_two_factor_reset(user_id):
    """For a user who lost their authenticator and recovery codes: they set it up again at their next login."""
    session = get_session()
    user = get_user_or_404(user_id)
    if ResetTwoFactorForm().validate_on_submit():
        two_factor.remove_two_factor(session, actor(), user)
        services.revoke_login_sessions(session, user)
        session.commit()
        flash(_("Two-factor authentication reset; the user's sessions have ended."), "success")
    return redirect(url_for(".user_edit", user_id=user.id))
