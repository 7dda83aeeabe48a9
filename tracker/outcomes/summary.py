"""The substantiation summary: what substantiators said, counted per aspect, with every disagreement shown.

Verdicts are never averaged or turned into a score: a single "disagree" is
reported as such, with who disagreed (their expertise and independence), on
what, and their comment. Input is plain data so the rules are tested alone.
"""

from dataclasses import dataclass
from dataclasses import field

from tracker.outcomes.models import Verdict

ASPECTS = ("description", "significance", "contribution")


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


@dataclass(frozen=True)
class Dissent:
    """One substantiator's objections: aspects they disagree with, or (``partial``) only partially agree with."""

    substantiator: str
    expertise: str
    is_independent: bool
    aspects: tuple
    comment: str
    partial: tuple = ()


@dataclass
class Summary:
    total: int = 0
    independent: int = 0
    counts: dict = field(default_factory=dict)  # aspect -> {Verdict: count}
    disagreements: list = field(default_factory=list)
    partial: list = field(default_factory=list)
    earlier_wording: int = 0

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
        """A short, honest description of the verdicts, for lists and the donor view."""
        if self.total == 0:
            return "not yet substantiated"
        if self.has_disagreement:
            return "disagreement recorded"
        if self.unanimous:
            return "all substantiators fully agree"
        return "agreement with reservations"


def summarise(verdicts):
    """Build the :class:`Summary` of a list of :class:`VerdictInput`."""
    summary = Summary(counts={aspect: {verdict: 0 for verdict in Verdict} for aspect in ASPECTS})
    for item in verdicts:
        summary.total += 1
        summary.independent += 1 if item.is_independent else 0
        summary.earlier_wording += 0 if item.on_current_wording else 1
        for aspect in ASPECTS:
            summary.counts[aspect][Verdict(getattr(item, aspect))] += 1
        disagreed = aspects_with(item, Verdict.DISAGREE)
        partial = aspects_with(item, Verdict.PARTIALLY_AGREE)
        if disagreed:
            summary.disagreements.append(
                Dissent(item.substantiator, item.expertise, item.is_independent, disagreed, item.comment, partial))
        elif partial:
            summary.partial.append(Dissent(item.substantiator, item.expertise, item.is_independent, partial,
                                           item.comment))
    return summary


def aspects_with(item, verdict):
    return tuple(aspect for aspect in ASPECTS if Verdict(getattr(item, aspect)) is verdict)
