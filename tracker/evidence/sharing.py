"""Which evidence items donor-facing reports may show, decided once, through the fund's donor rules.

* an MSC story only within :func:`tracker.msc.sharing.donor_visible_story_ids` (complete consent,
  donor scope, not withdrawn, safeguarding approval), and then only de-identified;
* an outcome only within :func:`tracker.outcomes.sharing.donor_visible_outcome_ids` (substantiated);
* an indicator result only when the period's actual has an approved copy.

Uploaded documents, web links and interview or observation notes are the team's
working material (they may name informants or quote them) and never reach donors.
Donors see no claim pages; reports that cite evidence select it with
:func:`donor_visible_evidence`.
"""

import sqlalchemy as sa
from sqlmodel import select

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
