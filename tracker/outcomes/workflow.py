"""The outcome status workflow and the substantiation gate, as plain rules (no Flask, no database).

Status runs draft → formulated → substantiation pending → substantiated → analysed.
An outcome moves one step forward or one step back at a time. Moving forward
checks what the next step needs; moving into or out of the M&E steps
(substantiated, analysed) needs the ``outcome.substantiate`` permission.
"""

from tracker.common.messages import N_
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.summary import COUNTS_AS_SUBSTANTIATED
from tracker.outcomes.summary import Standing

ORDER = (
    OutcomeStatus.DRAFT,
    OutcomeStatus.FORMULATED,
    OutcomeStatus.SUBSTANTIATION_PENDING,
    OutcomeStatus.SUBSTANTIATED,
    OutcomeStatus.ANALYSED,
)

# Sending an outcome to substantiation requires these fields (the substantiation gate).
GATE_FIELDS = ("description", "social_actor", "significance", "contribution")
GATE_MESSAGES = {
    "description": N_("Describe who changed what, when and where before sending the outcome to substantiation."),
    "social_actor": N_("Name the social actor (an organisation or a role) before sending the outcome to "
                       "substantiation."),
    "significance": N_("Explain why the change is significant before sending the outcome to substantiation."),
    "contribution": N_("Explain how the project contributed before sending the outcome to substantiation."),
}

STAFF_STEPS = (OutcomeStatus.SUBSTANTIATED, OutcomeStatus.ANALYSED)
# Outcomes in these states have been (or are being) checked by substantiators.
UNDER_SUBSTANTIATION = (OutcomeStatus.SUBSTANTIATION_PENDING, OutcomeStatus.SUBSTANTIATED, OutcomeStatus.ANALYSED)


def position(status):
    return ORDER.index(OutcomeStatus(status))


def neighbours(status):
    """The statuses one step back and one step forward (None at either end)."""
    index = position(status)
    back = ORDER[index - 1] if index > 0 else None
    forward = ORDER[index + 1] if index + 1 < len(ORDER) else None
    return back, forward


def permission_for(current, target):
    """The permission a move from ``current`` to ``target`` needs."""
    if OutcomeStatus(current) in STAFF_STEPS or OutcomeStatus(target) in STAFF_STEPS:
        return "outcome.substantiate"
    return "outcome.edit"


def gate_problems(fields):
    """``(field, message)`` for every gate field that is blank in ``fields`` (a mapping of field → text)."""
    return [(name, GATE_MESSAGES[name]) for name in GATE_FIELDS if not (fields.get(name) or "").strip()]


NOT_SUBSTANTIATED_YET = {
    Standing.NOT_YET: N_("Record at least one substantiator's verdicts before marking the outcome as substantiated."),
    Standing.EARLIER_WORDING: N_("The verdicts were given on an earlier wording of the outcome: ask the "
                                 "substantiators to judge the current wording first."),
    Standing.DISAGREEMENT_OPEN: N_("A substantiator disagrees: acknowledge the disagreement (who and why) before "
                                   "marking the outcome as substantiated."),
    Standing.NOT_INDEPENDENT: N_("Only substantiators who are not independent of the project have confirmed it: "
                                 "an independent substantiator's verdicts are needed."),
}


def transition_problems(current, target, fields, standing):
    """Why ``current`` → ``target`` is not allowed now; an empty list means it is.

    ``fields`` maps the outcome's text fields to their values; ``standing`` is the
    substantiation standing derived from the verdicts (:func:`tracker.outcomes.summary.standing`).
    """
    current, target = OutcomeStatus(current), OutcomeStatus(target)
    if target not in neighbours(current):
        return [(None, N_("An outcome moves one step at a time through draft, formulated, substantiation pending, "
                       "substantiated and analysed."))]
    if position(target) < position(current):
        return []
    if target is OutcomeStatus.FORMULATED and not (fields.get("description") or "").strip():
        return [("description", N_("Describe the change before marking the outcome as formulated."))]
    if target is OutcomeStatus.SUBSTANTIATION_PENDING:
        return gate_problems(fields)
    if target is OutcomeStatus.SUBSTANTIATED and standing not in COUNTS_AS_SUBSTANTIATED:
        return [(None, NOT_SUBSTANTIATED_YET[Standing(standing)])]
    return []
