"""Consent rules for stories, as plain functions (no Flask, no database).

A consent record is *complete* when it says who consented (the storyteller;
for a child, the parent or guardian **and** the child's own assent), when, on
which form and form version, and for at least one use. Incomplete records are
kept (e.g. imported stories) but mark the story "needs consent".
"""

from dataclasses import dataclass
from datetime import date

from tracker.common.messages import N_
from tracker.msc.models import AgeBand
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import StorytellerCategory

MINOR_AGE_BANDS = frozenset({AgeBand.UNDER_10, AgeBand.AGE_10_12, AgeBand.AGE_13_15, AgeBand.AGE_16_17})
CONSENT_FIELDS = ("storyteller_consent", "guardian_consent", "child_assent", "obtained_on", "form_name",
                  "form_version", "scope_internal", "scope_donor", "scope_public", "named")
SCOPES = ("scope_internal", "scope_donor", "scope_public")


def is_minor(category, age_band):
    """Whether the storyteller must be treated as a child: guardian consent plus the child's assent.

    A young person whose age was not recorded is treated as a child, to be safe.
    """
    category, age_band = StorytellerCategory(category), AgeBand(age_band)
    if category is StorytellerCategory.CHILD or age_band in MINOR_AGE_BANDS:
        return True
    return category is StorytellerCategory.YOUNG_PERSON and age_band is AgeBand.NOT_RECORDED


def consent_problems(values, minor, today):
    """``(field, message)`` for everything a complete consent record still lacks; empty when complete."""
    problems = []
    if minor:
        if not values.get("guardian_consent"):
            problems.append(("guardian_consent", N_("The storyteller is a child: record the parent's or guardian's "
                                                 "consent.")))
        if not values.get("child_assent"):
            problems.append(("child_assent", N_("The storyteller is a child: record the child's own assent as well.")))
    elif not values.get("storyteller_consent"):
        problems.append(("storyteller_consent", N_("Record that the storyteller consented.")))
    obtained_on = values.get("obtained_on")
    if obtained_on is None:
        problems.append(("obtained_on", N_("Give the date on which consent was obtained.")))
    elif obtained_on > today:
        problems.append(("obtained_on", N_("The consent date cannot be in the future.")))
    if not (values.get("form_name") or "").strip():
        problems.append(("form_name", N_("Name the consent form that was used.")))
    if not (values.get("form_version") or "").strip():
        problems.append(("form_version", N_("Give the version of the consent form.")))
    if not any(values.get(scope) for scope in SCOPES):
        problems.append(("scope_internal", N_("Choose at least one use the storyteller agreed to.")))
    if values.get("scope_public") and not values.get("scope_donor"):
        problems.append(("scope_public", N_("Public use includes donor reports: tick donor reporting as well, or "
                                         "untick public use.")))
    return problems


def withdrawal_problems(withdrawn_on, obtained_on, today):
    if withdrawn_on is None:
        return [("withdrawn_on", N_("Give the date on which consent was withdrawn."))]
    if withdrawn_on > today:
        return [("withdrawn_on", N_("The withdrawal date cannot be in the future; withdrawal takes effect at once."))]
    if obtained_on is not None and withdrawn_on < obtained_on:
        return [("withdrawn_on", N_("Consent cannot be withdrawn before it was given."))]
    return []


@dataclass(frozen=True)
class SharingFacts:
    """What decides whether donors may see a story, as plain values."""

    complete: bool
    scope_donor: bool
    withdrawn_on: date | None
    safeguarding: SafeguardingStatus
    donor_version_approved: bool = False


def why_not_shared(facts):
    """Explain, for staff and grantees, what keeps a story from donors (empty when nothing does).

    This explains; it does not decide. Deciding is the SQL rule in
    :func:`tracker.msc.sharing.donor_visible_stories`, and pages that show
    "shared with donors" ask that function.
    """
    reasons = []
    if not facts.complete:
        reasons.append("needs_consent")
    if facts.withdrawn_on is not None:
        reasons.append("withdrawn")
    if not facts.scope_donor:
        reasons.append("no_donor_scope")
    safeguarding = SafeguardingStatus(facts.safeguarding)
    if safeguarding is SafeguardingStatus.PENDING:
        reasons.append("safeguarding_pending")
    elif safeguarding is SafeguardingStatus.RESTRICTED:
        reasons.append("restricted")
    if not facts.donor_version_approved:
        reasons.append("no_donor_version")
    return reasons
