"""What the signed-in user may see of stories, outcomes and evidence, as SELECTs of ids for filters and counts.

Built from the rule table through :func:`tracker.web.access.sensitive_scope`, so that
counts, lists and pages agree: donors get the donor rules, an administrator only
what a break-the-glass grant opens.
"""

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.permissions import holds_everywhere
from tracker.db import get_session
from tracker.evidence.sharing import DERIVED_KINDS
from tracker.evidence.sharing import evidence_visible_ids
from tracker.msc.models import Story
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes.models import Outcome
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.web.access import sensitive_scope


def record_scopes(session):
    """``{permission: project ids}`` for the permissions that protect stories and outcomes."""
    return {permission: sensitive_scope(session, permission) for permission in DERIVED_KINDS.values()}


def visible_evidence_ids(session, fund_id):
    return evidence_visible_ids(current_user.role, fund_id, record_scopes(session))


def visible_record_ids(session, fund_id):
    """``{kind: SELECT id}`` for the stories, outcomes and evidence items the user may see."""
    scopes = record_scopes(session)
    role = current_user.role
    return {
        "story": stories_visible_to(role, scopes["story.view"], fund_id).with_only_columns(Story.id),
        "outcome": outcomes_visible_to(role, scopes["outcome.view"], fund_id).with_only_columns(Outcome.id),
        "evidence": evidence_visible_ids(role, fund_id, scopes),
    }


def may_read_evidence(item):
    """Whether the signed-in user may read ``item``'s title and summary.

    An item standing for a story or an outcome copies its text, so only those who read
    that story (outcome) may (:func:`tracker.evidence.sharing.evidence_visible_to`).
    Outside a request (a report job) the report's own audience rules have already chosen.
    """
    permission = DERIVED_KINDS.get(item.kind)
    if permission is None or not has_request_context() or not current_user.is_authenticated:
        return True
    role = current_user.role
    return holds_everywhere(role, permission) or item.project_id in sensitive_scope(get_session(), permission)


def evidence_title(item):
    """The item's title, or what it is without its text for a user who may not read it (a template global)."""
    if may_read_evidence(item):
        return item.title
    return _("Evidence from a story or outcome outside your access")
