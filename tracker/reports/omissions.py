"""What a report leaves out and why: the one list behind every report's section "What this report leaves out".

A report never drops material silently. :func:`left_out` turns the counts gathered while a report is assembled
(:class:`tracker.reports.project.Withheld`) into that list, in a fixed reading order, for every report (project
internal and donor, portfolio; HTML, PDF and the command line alike):

* outcomes left out because they have no date of change while the report covers a period (an undated outcome
  cannot be placed in it);
* outcomes not yet substantiated (donor reports show substantiated outcomes only);
* stories withheld: consent, safeguarding, no approved donor version, outside the reader's access;
* selected stories whose facts are not (yet) confirmed by a verification;
* contribution claims still in progress (below Mayne's step 4) that the report leaves out;
* evidence items the audience may not see, and indicator values still awaiting review.

Only counts and reasons are listed, never titles: a donor learns how many stories were withheld and why,
never which.
"""

import enum
from collections import Counter
from dataclasses import dataclass

from tracker.msc import rules


class Omitted(enum.StrEnum):
    """The kinds of entry of the section, in reading order."""

    UNDATED_OUTCOMES = "undated_outcomes"
    OUTCOMES_NOT_SUBSTANTIATED = "outcomes_not_substantiated"
    WITHHELD_STORIES = "withheld_stories"
    UNVERIFIED_STORIES = "unverified_stories"
    CLAIMS_IN_PROGRESS = "claims_in_progress"
    WITHHELD_EVIDENCE = "withheld_evidence"
    VALUES_AWAITING_REVIEW = "values_awaiting_review"


@dataclass(frozen=True)
class Omission:
    """``count`` records of one kind left out (or, for unverified stories, shown with a caveat), and
    ``reasons``: ``(reason, count)`` pairs, most frequent first, when the kind has several reasons."""

    kind: Omitted
    count: int
    reasons: tuple = ()


def counted(counter):
    """``(reason, count)`` pairs of ``counter``, most frequent first, then by reason (a stable order)."""
    return tuple(sorted(((str(reason), count) for reason, count in counter.items() if count),
                        key=lambda pair: (-pair[1], pair[0])))


def left_out(withheld):
    """The entries of "What this report leaves out" for the counts in ``withheld`` (empty: nothing left out)."""
    entries = [
        Omission(Omitted.UNDATED_OUTCOMES, withheld.undated_outcomes),
        Omission(Omitted.OUTCOMES_NOT_SUBSTANTIATED, withheld.outcome_count, counted(withheld.outcomes)),
        Omission(Omitted.WITHHELD_STORIES, withheld.story_count, counted(withheld.stories)),
        Omission(Omitted.UNVERIFIED_STORIES, sum(withheld.unverified_stories.values()),
                 counted(withheld.unverified_stories)),
        Omission(Omitted.CLAIMS_IN_PROGRESS, withheld.claims_in_progress),
        Omission(Omitted.WITHHELD_EVIDENCE, withheld.evidence_count, counted(withheld.evidence)),
        Omission(Omitted.VALUES_AWAITING_REVIEW, withheld.provisional),
    ]
    return [entry for entry in entries if entry.count]


def unverified(states):
    """Counter of the states that do not count as verified (pending, partly confirmed, not confirmed)."""
    return Counter(state for state in states if not rules.counts_as_verified(state))
