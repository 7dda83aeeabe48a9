"""Display labels (translatable) for the MSC and consent vocabulary, and the ``label`` template filter."""

from flask_babel import lazy_gettext as _l

from tracker.common.labels import enum_choices
from tracker.msc.models import AgeBand
from tracker.msc.models import CycleStatus
from tracker.msc.models import DistressLevel
from tracker.msc.models import FeedbackKind
from tracker.msc.models import PanelMethod
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import StorytellerCategory
from tracker.msc.models import VerificationResult
from tracker.msc.models import VerificationState
from tracker.msc.rules import says_open_domain
from tracker.outcomes.labels import LABELS as OUTCOME_LABELS
from tracker.privacy.pii import Kind

LABELS = {
    CycleStatus.OPEN: _l("Open for stories"),
    CycleStatus.CLOSED: _l("Closed"),
    StorytellerCategory.CHILD: _l("Child"),
    StorytellerCategory.YOUNG_PERSON: _l("Young person"),
    StorytellerCategory.PARENT_CAREGIVER: _l("Parent or caregiver"),
    StorytellerCategory.TEACHER: _l("Teacher"),
    StorytellerCategory.PROFESSIONAL: _l("Professional"),
    StorytellerCategory.COMMUNITY_MEMBER: _l("Community member"),
    StorytellerCategory.OTHER: _l("Other"),
    AgeBand.UNDER_10: _l("Under 10"),
    AgeBand.AGE_10_12: _l("10–12"),
    AgeBand.AGE_13_15: _l("13–15"),
    AgeBand.AGE_16_17: _l("16–17"),
    AgeBand.AGE_18_24: _l("18–24"),
    AgeBand.AGE_25_39: _l("25–39"),
    AgeBand.AGE_40_59: _l("40–59"),
    AgeBand.AGE_60_PLUS: _l("60 or over"),
    AgeBand.NOT_RECORDED: _l("Not recorded"),
    SafeguardingStatus.PENDING: _l("Safeguarding review pending"),
    SafeguardingStatus.APPROVED: _l("Approved for sharing"),
    SafeguardingStatus.RESTRICTED: _l("Restricted"),
    DistressLevel.NONE: _l("No distressing content"),
    DistressLevel.SOME: _l("Some distressing content: harm is mentioned"),
    DistressLevel.SEVERE: _l("Severely distressing: abuse or harm described in detail"),
    PanelMethod.VOTE: _l("Vote"),
    PanelMethod.SCORING: _l("Scoring"),
    PanelMethod.CONSENSUS: _l("Consensus"),
    FeedbackKind.STORYTELLER: _l("To the storyteller"),
    FeedbackKind.LOWER_LEVEL: _l("To the level below"),
    VerificationResult.CONFIRMED: _l("Confirmed"),
    VerificationResult.PARTLY_CONFIRMED: _l("Partly confirmed"),
    VerificationResult.NOT_CONFIRMED: _l("Not confirmed"),
}

# A selected story's verification state; kept apart because its values equal VerificationResult's.
VERIFICATION_STATE_LABELS = {
    VerificationState.PENDING: _l("Verification pending"),
    VerificationState.CONFIRMED: _l("Verification: confirmed"),
    VerificationState.PARTLY_CONFIRMED: _l("Verification: partly confirmed"),
    VerificationState.NOT_CONFIRMED: _l("Verification: not confirmed"),
}

# Why a story does not reach donors (see tracker.msc.consent.why_not_shared).
SHARING_REASONS = {
    "needs_consent": _l("Needs consent: the consent details are incomplete"),
    "withdrawn": _l("Consent withdrawn"),
    "no_donor_scope": _l("No consent to donor reporting"),
    "safeguarding_pending": _l("Safeguarding review pending"),
    "restricted": _l("Restricted by the safeguarding review"),
    "no_donor_version": _l("No approved de-identified donor version"),
}

FINDING_LABELS = {
    Kind.NAME: _l("Possibly a personal name"),
    Kind.PHONE: _l("Possibly a phone number"),
    Kind.EMAIL: _l("An email address"),
    Kind.AGE_AND_PLACE: _l("An exact age next to a place"),
    Kind.SCHOOL: _l("Possibly a school"),
    Kind.ADDRESS: _l("Possibly an address"),
    Kind.HANDLE: _l("A social-media account"),
    Kind.AGE: _l("An exact age next to a name"),
    Kind.PLACE: _l("The precise place, which donors may not see"),
    Kind.UNANALYSED: _l("Written in a script the finder cannot read: check it yourself"),
}

ALL_LABELS = {(type(member), member): text for labels in (OUTCOME_LABELS, LABELS, VERIFICATION_STATE_LABELS)
              for member, text in labels.items()}


def label(value):
    """The display label of an enum member (unknown values are shown as they are)."""
    return ALL_LABELS.get((type(value), value), value)


def domain_title(domain):
    """A domain's name, saying "any other change" for the open domain when its name does not say so."""
    if domain.is_open and not says_open_domain(domain.name):
        return _l("%(name)s (open domain: any other change)", name=domain.name)
    return domain.name


def choices_for(enum_type):
    """``(value, label)`` pairs for an enum of the MSC and consent vocabulary, in declaration order."""
    return enum_choices(enum_type, LABELS)
