"""Meta-monitoring of an MSC cycle (Davies & Dart, step 9), computed from plain facts.

Counts cover the whole corpus, selected or not: stories per domain, per
storyteller category and per language; for each selection level how many
stories it considered and selected, and its selection rate; how many of the
selected stories were verified; and how much feedback is still owed.

A level *considers* the stories passed up to it: the lowest level considers
every story eligible for selection; each higher level considers the stories
selected at the level below.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from tracker.msc.models import FeedbackKind


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
    selected_stories: int = 0
    verified_selected: int = 0
    feedback_owed: int = 0

    @property
    def verified_share(self):
        return None if self.selected_stories == 0 else self.verified_selected / self.selected_stories


def owed_kinds(decision):
    """The feedback a selection still owes: to the storyteller and to the lower level, until sent."""
    if not decision.selected:
        return []
    return [kind for kind in FeedbackKind if kind not in decision.feedback_sent]


def level_figures(stories, levels, decisions):
    """Considered and selected stories per level, lowest level first."""
    selected_at = {level.id: set() for level in levels}
    for decision in decisions:
        if decision.selected and decision.level_id in selected_at:
            selected_at[decision.level_id].add(decision.story_id)
    figures = []
    passed_up = {story.id for story in stories if story.eligible}
    for level in sorted(levels, key=lambda level: level.ordinal):
        chosen = selected_at[level.id] & passed_up
        figures.append(LevelFigures(level.name, len(passed_up), len(chosen)))
        passed_up = chosen
    return figures


def ranked(counter):
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


def compute(stories, domains, levels, decisions, verified_story_ids):
    """Build the :class:`MetaMonitoring` figures.

    ``domains`` is ``[(id, name)]`` in display order (domains without stories
    count 0); ``verified_story_ids`` holds the stories with at least one verification.
    """
    by_domain = Counter(story.domain_id for story in stories)
    selected = {decision.story_id for decision in decisions if decision.selected}
    return MetaMonitoring(
        total=len(stories),
        eligible=sum(1 for story in stories if story.eligible),
        per_domain=[(name, by_domain.get(domain_id, 0)) for domain_id, name in domains],
        per_category=ranked(Counter(story.category for story in stories)),
        per_language=ranked(Counter(story.language for story in stories)),
        per_level=level_figures(stories, levels, decisions),
        selected_stories=len(selected),
        verified_selected=len(selected & set(verified_story_ids)),
        feedback_owed=sum(len(owed_kinds(decision)) for decision in decisions),
    )
