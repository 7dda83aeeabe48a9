"""What the signed-in user may see of stories, outcomes and evidence, as SELECTs of ids for filters and counts.

Built from the rule table through :func:`tracker.web.access.sensitive_scope`, so that
counts, lists and pages agree: donors get the donor rules, an administrator only
what a break-the-glass grant opens.
"""

from flask_login import current_user

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
