"""Meta-monitoring of an MSC cycle (Davies & Dart, step 9), computed from plain facts.

Counts cover the whole corpus, selected or not: stories per domain, per
storyteller category and per language; for each selection level how many
stories it considered and selected, and its selection rate; where verification
stands for the stories selected at the top level (only "confirmed" counts as
verified); and how much feedback is still owed.

A level *considers* the stories passed up to it: the lowest level considers
every story eligible for selection; each higher level considers the stories
selected at the level below.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from tracker.msc import rules
from tracker.msc.models import VerificationState


@dataclass(frozen=True)
class StoryFact:
    id: int
    domain_id: int
    category: str
    language: str
    eligible: bool


@dataclass(frozen=True)
class LevelFact:
    id: int
    ordinal: int
    name: str


@dataclass(frozen=True)
class DecisionFact:
    id: int
    story_id: int
    level_id: int
    selected: bool
    feedback_sent: frozenset = frozenset()


@dataclass(frozen=True)
class LevelFigures:
    name: str
    considered: int
    selected: int

    @property
    def rate(self):
        """Selected ÷ considered, or None when the level considered nothing yet."""
        return None if self.considered == 0 else self.selected / self.considered


@dataclass
class MetaMonitoring:
    total: int = 0
    eligible: int = 0
    per_domain: list = field(default_factory=list)      # [(domain name, count)]
    per_category: list = field(default_factory=list)    # [(category, count)]
    per_language: list = field(default_factory=list)    # [(language code, count)]
    per_level: list = field(default_factory=list)       # [LevelFigures]
    top_selected: int = 0                               # stories selected at the top level
    per_verification: list = field(default_factory=list)  # [(VerificationState, count)] among those
    verified_selected: int = 0                          # of those, confirmed by verification
    feedback_owed: int = 0

    @property
    def verified_share(self):
        return None if self.top_selected == 0 else self.verified_selected / self.top_selected


def owed_kinds(decision, lowest_level):
    """The feedback a selection still owes (:func:`tracker.msc.rules.feedback_due`), until sent."""
    return [kind for kind in rules.feedback_due(decision.selected, lowest_level) if kind not in decision.feedback_sent]


def passed_up_per_level(stories, levels, decisions):
    """``[(level, considered story ids, selected story ids)]``, lowest level first."""
    selected_at = {level.id: set() for level in levels}
    for decision in decisions:
        if decision.selected and decision.level_id in selected_at:
            selected_at[decision.level_id].add(decision.story_id)
    rows = []
    passed_up = {story.id for story in stories if story.eligible}
    for level in sorted(levels, key=lambda level: level.ordinal):
        chosen = selected_at[level.id] & passed_up
        rows.append((level, passed_up, chosen))
        passed_up = chosen
    return rows


def level_figures(stories, levels, decisions):
    """Considered and selected stories per level, lowest level first."""
    return [LevelFigures(level.name, len(considered), len(chosen))
            for level, considered, chosen in passed_up_per_level(stories, levels, decisions)]


def top_level_selected(stories, levels, decisions):
    """The stories selected at the top level, on what every level below passed up."""
    rows = passed_up_per_level(stories, levels, decisions)
    return rows[-1][2] if rows else set()


def ranked(counter):
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


def compute(stories, domains, levels, decisions, verification_states):
    """Build the :class:`MetaMonitoring` figures.

    ``domains`` is ``[(id, name)]`` in display order (domains without stories
    count 0); ``verification_states`` maps story ids to their
    :class:`~tracker.msc.models.VerificationState` (missing: pending).
    """
    by_domain = Counter(story.domain_id for story in stories)
    top = top_level_selected(stories, levels, decisions)
    states = Counter(verification_states.get(story_id, VerificationState.PENDING) for story_id in top)
    lowest = min((level.ordinal for level in levels), default=None)
    lowest_ids = {level.id for level in levels if level.ordinal == lowest}
    return MetaMonitoring(
        total=len(stories),
        eligible=sum(1 for story in stories if story.eligible),
        per_domain=[(name, by_domain.get(domain_id, 0)) for domain_id, name in domains],
        per_category=ranked(Counter(story.category for story in stories)),
        per_language=ranked(Counter(story.language for story in stories)),
        per_level=level_figures(stories, levels, decisions),
        top_selected=len(top),
        per_verification=[(state, states.get(state, 0)) for state in VerificationState],
        verified_selected=sum(count for state, count in states.items() if rules.counts_as_verified(state)),
        feedback_owed=sum(len(owed_kinds(decision, decision.level_id in lowest_ids)) for decision in decisions),
    )
