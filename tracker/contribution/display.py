"""What every contribution template is given besides its records: the labels of each vocabulary and the step numbers."""

from flask import render_template

from tracker.contribution import rules
from tracker.contribution import services
from tracker.contribution.tracing import services as tracing_services
from tracker.evidence.services import KIND_LABELS
from tracker.evidence.services import STRENGTH_LABELS
from tracker.toc import services as toc_services


def labels():
    """Every label the claim templates need, by vocabulary."""
    return {
        "level": services.LEVEL_LABELS, "necessity": services.NECESSITY_LABELS,
        "sufficiency": services.SUFFICIENCY_LABELS, "influence": services.INFLUENCE_LABELS,
        "step": services.STEP_LABELS,
        "confidence": services.CONFIDENCE_LABELS, "kind": services.EXPLANATION_KIND_LABELS,
        "explanation_status": services.EXPLANATION_STATUS_LABELS, "strength": STRENGTH_LABELS,
        "assumption_status": {status.value: label for status, label in toc_services.ASSUMPTION_STATUS_LABELS.items()},
        "evidence_kind": KIND_LABELS, "observation": tracing_services.OBSERVATION_LABELS,
        "test": tracing_services.TEST_LABELS,
    }


def context(project, **more):
    """The template context of a contribution page about ``project`` (None for the fund's pages)."""
    return {"project": project, "labels": labels(), "step_number": rules.number,
            "lowered_note": services.lowered_note, **more}


def render(template, project, **more):
    return render_template(template, **context(project, **more))
