"""The substantiation summary: what substantiators said, counted per aspect, with every disagreement shown.

Verdicts are never averaged or turned into a score: a single "disagree" is
reported as such, with who disagreed (their expertise and independence), on
what, and their comment. Input is plain data so the rules are tested alone.

Whether an outcome *is* substantiated is derived here, from the verdicts, by
:func:`standing`, and never stored: an edit to the wording, a substantiator's
independence or a disagreement changes what pages and reports say at once.
"""

import enum
from dataclasses import dataclass
from dataclasses import field

from tracker.outcomes.models import Verdict

ASPECTS = ("description", "significance", "contribution")


class Standing(enum.StrEnum):
    """Where an outcome's substantiation stands, derived from its verdicts (:func:`standing`)."""

    NOT_YET = "not_yet_substantiated"
    SUBSTANTIATED = "substantiated"
    WITH_DISAGREEMENT = "substantiated_with_disagreement"
    DISAGREEMENT_OPEN = "disagreement_not_acknowledged"
    NOT_INDEPENDENT = "not_independently_substantiated"
    EARLIER_WORDING = "verdicts_on_earlier_wording"


# The standings that let an outcome count as substantiated (and be marked so).
COUNTS_AS_SUBSTANTIATED = (Standing.SUBSTANTIATED, Standing.WITH_DISAGREEMENT)


@dataclass(frozen=True)
class VerdictInput:
    """One substantiator's verdicts, as plain data."""

    substantiator: str
    expertise: str
    is_independent: bool
    description: Verdict
    significance: Verdict
    contribution: Verdict
    comment: str = ""
    on_current_wording: bool = True
    acknowledged_by: str = ""
    acknowledgement: str = ""
    comment_withheld: bool = False

    @property
    def disagrees(self):
        return bool(aspects_with(self, Verdict.DISAGREE))


@dataclass(frozen=True)
class Acknowledgement:
    """M&E staff's recorded acknowledgement of one substantiator's disagreement."""

    substantiator: str
    acknowledged_by: str
    reason: str


@dataclass(frozen=True)
class Dissent:
    """One substantiator's objections: aspects they disagree with, or (``partial``) only partially agree with."""

    substantiator: str
    expertise: str
    is_independent: bool
    aspects: tuple
    comment: str
    partial: tuple = ()
    acknowledged_by: str = ""
    acknowledgement: str = ""
    on_current_wording: bool = True


@dataclass
class Summary:
    total: int = 0
    independent: int = 0
    counts: dict = field(default_factory=dict)  # aspect -> {Verdict: count}
    disagreements: list = field(default_factory=list)
    partial: list = field(default_factory=list)
    earlier_wording: int = 0
    standing: Standing = Standing.NOT_YET
    acknowledgements: list = field(default_factory=list)
    comments: list = field(default_factory=list)  # (substantiator, comment) of everyone who commented
    withheld_comments: int = 0

    @property
    def counts_as_substantiated(self):
        return self.standing in COUNTS_AS_SUBSTANTIATED

    @property
    def has_disagreement(self):
        return bool(self.disagreements)

    @property
    def unanimous(self):
        """Every substantiator fully agreed on every aspect."""
        return self.total > 0 and all(
            counts[Verdict.FULLY_AGREE] == self.total for counts in self.counts.values())

    @property
    def headline(self):
        """The derived standing, for lists, exports and the evidence annex."""
        return self.standing


def standing(verdicts):
    """Where substantiation stands, from a list of :class:`VerdictInput` (the one rule every page uses).

    Only verdicts on the outcome's current wording count. An open disagreement (one
    nobody has acknowledged) keeps the outcome from counting as substantiated; so does
    having no independent substantiator among the verdicts that count.
    """
    if not verdicts:
        return Standing.NOT_YET
    current = [item for item in verdicts if item.on_current_wording]
    if not current:
        return Standing.EARLIER_WORDING
    if any(item.disagrees and not item.acknowledged_by for item in current):
        return Standing.DISAGREEMENT_OPEN
    if not any(item.is_independent for item in current):
        return Standing.NOT_INDEPENDENT
    if any(item.disagrees for item in current):
        return Standing.WITH_DISAGREEMENT
    return Standing.SUBSTANTIATED


def summarise(verdicts):
    """Build the :class:`Summary` of a list of :class:`VerdictInput`."""
    verdicts = list(verdicts)
    summary = Summary(counts={aspect: {verdict: 0 for verdict in Verdict} for aspect in ASPECTS},
                      standing=standing(verdicts))
    for item in verdicts:
        summary.total += 1
        summary.independent += 1 if item.is_independent else 0
        summary.earlier_wording += 0 if item.on_current_wording else 1
        for aspect in ASPECTS:
            summary.counts[aspect][Verdict(getattr(item, aspect))] += 1
        disagreed = aspects_with(item, Verdict.DISAGREE)
        partial = aspects_with(item, Verdict.PARTIALLY_AGREE)
        summary.withheld_comments += 1 if item.comment_withheld else 0
        if item.comment:
            summary.comments.append((item.substantiator, item.comment))
        if item.acknowledged_by and item.on_current_wording and disagreed:
            summary.acknowledgements.append(
                Acknowledgement(item.substantiator, item.acknowledged_by, item.acknowledgement))
        if disagreed:
            summary.disagreements.append(
                Dissent(item.substantiator, item.expertise, item.is_independent, disagreed, item.comment, partial,
                        item.acknowledged_by, item.acknowledgement, item.on_current_wording))
        elif partial:
            summary.partial.append(Dissent(item.substantiator, item.expertise, item.is_independent, partial,
                                           item.comment))
    return summary


def aspects_with(item, verdict):
    return tuple(aspect for aspect in ASPECTS if Verdict(getattr(item, aspect)) is verdict)
