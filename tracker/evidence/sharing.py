"""Which evidence items donor-facing reports may show, decided once, through the fund's donor rules.

* an MSC story only within :func:`tracker.msc.sharing.donor_visible_story_ids` (complete consent,
  donor scope, not withdrawn, safeguarding approval), and then only de-identified;
* an outcome only within :func:`tracker.outcomes.sharing.donor_visible_outcome_ids` (substantiated);
* an indicator result only when the period's actual has an approved copy.

Uploaded documents, web links and interview or observation notes are the team's
working material (they may name informants or quote them) and never reach donors.
Donors see no claim pages; reports that cite evidence select it with
:func:`donor_visible_evidence`.

An item that stands for a story or an outcome copies that record's title and
summary, so it inherits the record's protection: :func:`evidence_visible_to`
shows it only to those who may read the record itself (a grantee of the project,
M&E staff, an administrator only under a break-the-glass grant), and to donors
only within the donor rule.
"""

import sqlalchemy as sa
from sqlmodel import select

from tracker.auth.permissions import Role
from tracker.auth.permissions import holds_everywhere
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import EvidenceKind
from tracker.indicators.models import PeriodActual
from tracker.msc.sharing import donor_visible_story_ids
from tracker.outcomes.sharing import donor_visible_outcome_ids
from tracker.portfolio.models import Project


def donor_visible_evidence(fund_id):
    """``SELECT evidence_item`` limited to what donors may see of fund ``fund_id`` (see the module doc)."""
    approved_periods = select(PeriodActual.period_id).where(PeriodActual.approved_at.is_not(None))
    return (
        select(EvidenceItem)
        .join(Project, Project.id == EvidenceItem.project_id)
        .where(Project.fund_id == fund_id, sa.or_(
            sa.and_(EvidenceItem.kind == EvidenceKind.STORY,
                    EvidenceItem.story_id.in_(donor_visible_story_ids(fund_id))),
            sa.and_(EvidenceItem.kind == EvidenceKind.OUTCOME,
                    EvidenceItem.outcome_id.in_(donor_visible_outcome_ids(fund_id))),
            sa.and_(EvidenceItem.kind == EvidenceKind.INDICATOR_RESULT, EvidenceItem.period_id.in_(approved_periods)),
        ))
    )


def donor_visible_evidence_ids(fund_id):
    return donor_visible_evidence(fund_id).with_only_columns(EvidenceItem.id)


# The kinds of item that copy a protected record's text, and the permission that protects it.
DERIVED_KINDS = {EvidenceKind.STORY: "story.view", EvidenceKind.OUTCOME: "outcome.view"}


def evidence_visible_to(role, fund_id, scopes):
    """``SELECT evidence_item`` for what a user of ``role`` may see of fund ``fund_id``.

    ``scopes`` maps ``"story.view"`` and ``"outcome.view"`` to the projects (beyond
    those the role reads everywhere) whose stories and outcomes the user may read,
    from :func:`tracker.auth.permissions.scoped_project_ids`. Items standing for a
    story or an outcome are left out elsewhere; donors get :func:`donor_visible_evidence`.
    """
    if Role(role) is Role.DONOR:
        return donor_visible_evidence(fund_id)
    statement = select(EvidenceItem).join(Project, Project.id == EvidenceItem.project_id).where(
        Project.fund_id == fund_id)
    for kind, permission in DERIVED_KINDS.items():
        if not holds_everywhere(role, permission):
            statement = statement.where(sa.or_(EvidenceItem.kind != kind,
                                               EvidenceItem.project_id.in_(sorted(scopes[permission]) or [-1])))
    return statement


def evidence_visible_ids(role, fund_id, scopes):
    return evidence_visible_to(role, fund_id, scopes).with_only_columns(EvidenceItem.id)
