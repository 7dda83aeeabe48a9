"""Display labels (translatable) for the outcome vocabulary, in the users' own words."""

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from tracker.common.labels import enum_choices
from tracker.outcomes.models import ActorKind
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import DatePrecision
from tracker.outcomes.models import HarvestStep
from tracker.outcomes.models import Intention
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Valence
from tracker.outcomes.models import Verdict
from tracker.outcomes.summary import Standing

LABELS = {
    HarvestStep.DESIGN: _l("1 · Design the harvest"),
    HarvestStep.GATHER: _l("2 · Gather data and draft outcome descriptions"),
    HarvestStep.ENGAGE: _l("3 · Engage change agents in formulating outcomes"),
    HarvestStep.SUBSTANTIATE: _l("4 · Substantiate"),
    HarvestStep.ANALYSE: _l("5 · Analyse and interpret"),
    HarvestStep.SUPPORT_USE: _l("6 · Support use of findings"),
    OutcomeStatus.DRAFT: _l("Draft"),
    OutcomeStatus.FORMULATED: _l("Formulated"),
    OutcomeStatus.SUBSTANTIATION_PENDING: _l("Substantiation pending"),
    OutcomeStatus.SUBSTANTIATED: _l("Substantiated"),
    OutcomeStatus.ANALYSED: _l("Analysed"),
    ChangeType.BEHAVIOUR: _l("Behaviour"),
    ChangeType.RELATIONSHIP: _l("Relationship"),
    ChangeType.ACTION: _l("Action"),
    ChangeType.POLICY: _l("Policy"),
    ChangeType.PRACTICE: _l("Practice"),
    DatePrecision.DAY: _l("Exact day"),
    DatePrecision.MONTH: _l("Month"),
    DatePrecision.YEAR: _l("Year"),
    Intention.INTENDED: _l("Intended"),
    Intention.UNINTENDED: _l("Unintended"),
    Valence.POSITIVE: _l("Positive"),
    Valence.NEGATIVE: _l("Negative"),
    ActorKind.ORGANISATION: _l("An organisation"),
    ActorKind.ROLE_TYPE: _l("A role or group"),
    Verdict.FULLY_AGREE: _l("Fully agree"),
    Verdict.PARTIALLY_AGREE: _l("Partially agree"),
    Verdict.DISAGREE: _l("Disagree"),
    Standing.NOT_YET: _l("Not yet substantiated"),
    Standing.SUBSTANTIATED: _l("Substantiated"),
    Standing.WITH_DISAGREEMENT: _l("Substantiated with disagreement"),
    Standing.DISAGREEMENT_OPEN: _l("Disagreement not yet acknowledged"),
    Standing.NOT_INDEPENDENT: _l("Not independently substantiated"),
    Standing.EARLIER_WORDING: _l("Verdicts on an earlier wording"),
}

# Moving an outcome to a status, as a button label.
MOVE_LABELS = {
    OutcomeStatus.DRAFT: _l("Return to draft"),
    OutcomeStatus.FORMULATED: _l("Mark as formulated"),
    OutcomeStatus.SUBSTANTIATION_PENDING: _l("Send to substantiation"),
    OutcomeStatus.SUBSTANTIATED: _l("Mark as substantiated"),
    OutcomeStatus.ANALYSED: _l("Mark as analysed"),
}
BACK_LABELS = {
    OutcomeStatus.DRAFT: _l("Return to draft"),
    OutcomeStatus.FORMULATED: _l("Take back from substantiation"),
    OutcomeStatus.SUBSTANTIATION_PENDING: _l("Reopen substantiation"),
    OutcomeStatus.SUBSTANTIATED: _l("Return to substantiated"),
}

DATE_FORMATS = {DatePrecision.DAY: "medium", DatePrecision.MONTH: "MMMM y", DatePrecision.YEAR: "y"}


def change_date(value, precision):
    """Show a change date only as precisely as it is known."""
    if value is None:
        return ""
    return format_date(value, DATE_FORMATS[DatePrecision(precision)])


def choices_for(enum_type):
    """``(value, label)`` pairs for an enum of the outcome vocabulary, in declaration order."""
    return enum_choices(enum_type, LABELS)
