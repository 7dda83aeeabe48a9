"""Who may do what: the role × permission rules, as plain data.

A permission is granted either everywhere (for the roles in ``everywhere``)
or only on projects the user is a member of (roles in ``member``).
Roles in ``lead`` hold it only when their account carries the data-protection lead flag.
Roles in ``break_glass`` may use a permission on a sensitive record outside
their usual scope only after giving a reason, for a limited time
(see ``tracker.breakglass``). Anything not listed here is denied.
"""

import enum
from dataclasses import dataclass

from tracker.common.messages import N_


class Role(enum.StrEnum):
    ADMIN = "admin"
    ME = "me"
    GRANTEE = "grantee"
    DONOR = "donor"


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.ME: N_("M&E staff"),
    Role.GRANTEE: N_("Grantee"),
    Role.DONOR: N_("Donor"),
}


@dataclass(frozen=True)
class Rule:
    everywhere: frozenset
    member: frozenset = frozenset()
    break_glass: frozenset = frozenset()
    lead: frozenset = frozenset()


def rule(everywhere=(), member=(), break_glass=(), lead=()):
    return Rule(frozenset(everywhere), frozenset(member), frozenset(break_glass), frozenset(lead))


STAFF = (Role.ADMIN, Role.ME)
EVERYONE = tuple(Role)
# Roles that must log in with a second factor (TOTP); it is optional for the others.
TWO_FACTOR_REQUIRED = frozenset(STAFF)

RULES = {
    # The signed-in user's own account pages.
    "account.self": rule(EVERYONE),
    "portfolio.view": rule(EVERYONE),
    "project.view": rule((Role.ADMIN, Role.ME, Role.DONOR), member=(Role.GRANTEE,)),
    "project.create": rule(STAFF),
    "project.edit": rule(STAFF),
    "project.members": rule(STAFF),
    "organisation.view": rule(STAFF),
    "organisation.manage": rule(STAFF),
    "fund.manage": rule((Role.ADMIN,)),
    "users.manage": rule((Role.ADMIN,)),
    # The audit trail (filter, export) and the register of break-the-glass access.
    "audit.view": rule((Role.ADMIN,)),
    # The access overview over the audit trail and its alerts: administrators and the fund's data-protection
    # lead (a flag an administrator sets on an admin or M&E account).
    "audit.insight": rule((Role.ADMIN,), lead=STAFF),
    # Ask for time-limited access to a project's sensitive records, giving a reason.
    "break_glass.request": rule((Role.ADMIN,)),
    # Theory of change and indicators: staff and the project's grantees build them; donors read them.
    "toc.view": rule((Role.ADMIN, Role.ME, Role.DONOR), member=(Role.GRANTEE,)),
    "toc.edit": rule(STAFF, member=(Role.GRANTEE,)),
    "indicator.view": rule((Role.ADMIN, Role.ME, Role.DONOR), member=(Role.GRANTEE,)),
    "indicator.edit": rule(STAFF, member=(Role.GRANTEE,)),
    "indicator.actuals.submit": rule(STAFF, member=(Role.GRANTEE,)),
    "indicator.actuals.review": rule(STAFF),
    # Outcome Harvesting. Donors see only substantiated outcomes (tracker.outcomes.sharing).
    # Outcomes and their sources are outside an administrator's usual scope, as stories are.
    "outcome.view": rule((Role.ME, Role.DONOR), member=(Role.GRANTEE,), break_glass=(Role.ADMIN,)),
    "outcome.edit": rule((Role.ME,), member=(Role.GRANTEE,)),
    "outcome.substantiate": rule((Role.ME,)),
    # MSC stories. Donors see only stories within the donor rule (tracker.msc.sharing).
    # An administrator's scope is accounts and settings: to read a project's stories they
    # break the glass (a reason, 3 hours, audited); they never edit or review stories.
    "story.view": rule((Role.ME, Role.DONOR), member=(Role.GRANTEE,), break_glass=(Role.ADMIN,)),
    "story.edit": rule((Role.ME,), member=(Role.GRANTEE,)),
    "story.safeguard": rule((Role.ME,)),
    # The portfolio-level story list: each role sees its own scope of stories.
    "msc.view": rule(EVERYONE),
    "msc.select": rule((Role.ME,)),
    "msc.manage": rule((Role.ME,)),
    # Full-text search: each role finds only what it may see.
    "search.use": rule(EVERYONE),
    # IATI: M&E staff decide which indicators are published; the published file is public data, but
    # downloading it still needs a login (and is audited). Grantees get their own projects' activities.
    "indicator.publish": rule(STAFF),
    "iati.export": rule((Role.ADMIN, Role.ME, Role.DONOR), member=(Role.GRANTEE,)),
    # Contribution analysis: M&E staff build claims, tracing and the contribution story; the project's grantees
    # read them. Donors see claims only through reports, with evidence selected by tracker.evidence.sharing.
    "contribution.view": rule(STAFF, member=(Role.GRANTEE,)),
    "contribution.edit": rule(STAFF),
    "contribution.coverage": rule(STAFF),
    "contribution.bands": rule(STAFF),
    # Evidence items and their files: the project team and M&E staff record, attach and download them.
    "evidence.view": rule(STAFF, member=(Role.GRANTEE,)),
    "evidence.edit": rule(STAFF, member=(Role.GRANTEE,)),
    # Data exchange. Exports (XLSX/CSV): donors get the donor version only; an admin breaks the glass for a
    # project's internal export. Imports (Kobo, ODK, spreadsheets): M&E staff and the project's grantees.
    "export.view": rule((Role.ME, Role.DONOR), member=(Role.GRANTEE,), break_glass=(Role.ADMIN,)),
    "export.portfolio": rule((Role.ME, Role.DONOR)),
    "import.run": rule((Role.ME,), member=(Role.GRANTEE,)),
    # Evidence reports (tracker.reports): donors get the donor report of any project and of the portfolio;
    # internal reports (everything the requester may see) are for staff and, of their projects, grantees.
    # A report file is served only to its requester, or to M&E staff (see tracker.reports.jobs.may_download).
    "report.view": rule((Role.ADMIN, Role.ME, Role.DONOR), member=(Role.GRANTEE,)),
    "report.internal": rule(STAFF, member=(Role.GRANTEE,)),
    "report.portfolio": rule((Role.ADMIN, Role.ME, Role.DONOR)),
    "report.files": rule(EVERYONE),
}


def allows(role, permission, *, is_member=False, is_lead=False):
    """Return whether ``role`` holds ``permission``, on a project where it ``is_member`` or not.

    ``is_lead``: the account is the fund's data-protection lead.
    """
    granted = RULES.get(permission)
    if granted is None:
        raise KeyError(f"unknown permission {permission!r}")
    return (role in granted.everywhere or (is_member and role in granted.member)
            or (is_lead and role in granted.lead))


def may_be_data_protection_lead(role):
    """The lead flag counts only on an administrator's or M&E account (a fund names one of its staff)."""
    return Role(role) in STAFF


def may_break_glass(role, permission):
    """Return whether ``role`` may use ``permission`` outside its scope by breaking the glass."""
    return role in RULES[permission].break_glass


def holds_everywhere(role, permission):
    """Return whether ``role`` holds ``permission`` on every project of the fund."""
    return role in RULES[permission].everywhere


def scoped_project_ids(role, permission, member_project_ids, granted_project_ids=frozenset()):
    """The projects on which ``role`` holds ``permission`` beyond those it holds everywhere.

    Lists, search, counts, exports and the API narrow to these ids whenever
    :func:`holds_everywhere` is false, so that they show exactly what the detail
    pages let through: memberships count only for the rule's ``member`` roles, and
    break-the-glass grants only for its ``break_glass`` roles. An administrator who
    makes themselves a project member gains nothing by it.
    """
    granted = RULES[permission]
    project_ids = set(member_project_ids) if role in granted.member else set()
    if role in granted.break_glass:
        project_ids |= set(granted_project_ids)
    return frozenset(project_ids)


def needs_membership(role, permission):
    """Return whether ``role`` gets ``permission`` only through project membership."""
    granted = RULES[permission]
    return role not in granted.everywhere and role in granted.member


def sees_all_projects(role):
    return role in (Role.ADMIN, Role.ME, Role.DONOR)
