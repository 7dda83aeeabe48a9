"""MSC method rules, as plain functions (Davies & Dart 2005), called where the state changes and where it is shown.

* Panels write their reasons in full sentences and attach them to the story (step 5): a selection
  without written reasons is refused.
* A panel selects ONE story per domain; a further selection in the same domain is a *joint selection*
  and needs the panel's recorded reason.
* Selection is hierarchical: a level chooses among the stories the level directly below selected.
  A higher selection stands only while the level below still passes the story up, so undoing a lower
  selection undoes the higher ones built on it (:func:`undone_with`).
* Feedback (step 6) goes to the storyteller and, above the lowest level, to the level that passed the
  story up; the lowest level has no level below to tell.
* Verification (step 7): a selected story is pending until a result is recorded; only "confirmed"
  counts as verified.
* A story's distressing-content level is set at the safeguarding review; :func:`propose_distress_level`
  proposes one from the review's flags and the story's domain, for the reviewer to confirm or change.
* Every cycle has exactly one open domain ("any other change"); what makes it open is a flag, not its
  name, and no named domain may take a name that says "any other change".
"""

from dataclasses import dataclass

from tracker.common.messages import N_
from tracker.common.text import normalised
from tracker.msc.consent import is_minor
from tracker.msc.models import AgeBand
from tracker.msc.models import DistressLevel
from tracker.msc.models import FeedbackKind
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import StorytellerCategory
from tracker.msc.models import VerificationState

MIN_REASON_WORDS = 6

# Names (normalised) that mean the open domain, in the fund's languages.
OPEN_DOMAIN_WORDS = frozenset({"other", "any_other_change", "other_change", "other_changes", "autre",
                               "autre_changement", "autres_changements", "otro", "otro_cambio", "otros",
                               "otros_cambios", "cualquier_otro_cambio", "tout_autre_changement"})


def reasons_problems(selected, reasons):
    """``(field, message)`` when a selection lacks written reasons; empty when acceptable."""
    if not selected:
        return []
    words = (reasons or "").split()
    if not words:
        return [("reasons", N_("A selection needs the panel's written reasons: why this story is the most "
                               "significant."))]
    if len(words) < MIN_REASON_WORDS:
        return [("reasons", N_("Write the panel's reasons in full sentences: why this story, rather than the others, "
                            "is the most significant."))]
    return []


# One story per domain -------------------------------------------------------------------------------


def joint_selection_problems(selected, joint_reason, also_selected):
    """``(field, message)`` when a panel selects a further story in a domain without saying why.

    ``also_selected`` holds the titles of the stories the same panel already selected in the domain.
    """
    if not selected or not also_selected:
        return []
    if len((joint_reason or "").split()) < MIN_REASON_WORDS:
        return [("joint_reason", N_("The panel already selected “%(titles)s” in this domain. A panel selects one "
                                    "story per domain: to select this one as well, record in full sentences why the "
                                    "panel made a joint selection.", titles="”, “".join(also_selected)))]
    return []


# Hierarchy -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A panel's decision on one story, reduced to what the hierarchy rule needs."""

    decision_id: int
    level_ordinal: int
    selected: bool


def standing_selections(picks, level_ordinals):
    """The ids of the selections in ``picks`` (one story's decisions) that stand.

    The lowest level's selections stand (eligibility is the sharing rules' business); a selection at a
    higher level stands only if a selection at the level directly below stands.
    """
    standing, passed_up = set(), True
    for ordinal in sorted(set(level_ordinals)):
        here = {pick.decision_id for pick in picks if pick.selected and pick.level_ordinal == ordinal}
        if passed_up:
            standing |= here
        passed_up = passed_up and bool(here)
    return standing


def undone_with(picks, level_ordinals, decision_id):
    """The selections that undoing ``decision_id`` takes away with it, lowest level first.

    They are the higher selections of the same story that would no longer stand on what the levels
    below pass up.
    """
    after = [Pick(pick.decision_id, pick.level_ordinal, False) if pick.decision_id == decision_id else pick
             for pick in picks]
    standing = standing_selections(after, level_ordinals)
    return [pick.decision_id for pick in sorted(picks, key=lambda pick: (pick.level_ordinal, pick.decision_id))
            if pick.selected and pick.decision_id != decision_id and pick.decision_id not in standing]


# Feedback --------------------------------------------------------------------------------------------


def feedback_due(selected, lowest_level):
    """The feedback a selection owes: to the storyteller, and to the level below unless it is the lowest."""
    if not selected:
        return []
    return [FeedbackKind.STORYTELLER] if lowest_level else [FeedbackKind.STORYTELLER, FeedbackKind.LOWER_LEVEL]


def feedback_kind_problems(kind, lowest_level):
    if kind is FeedbackKind.LOWER_LEVEL and lowest_level:
        return [("kind", N_("The lowest level has no level below it: its feedback goes to the storyteller."))]
    return []


# Verification ----------------------------------------------------------------------------------------


def verification_state(results):
    """The story's verification state from its results, oldest first: the latest result, or pending."""
    results = list(results)
    return VerificationState(results[-1].value) if results else VerificationState.PENDING


def counts_as_verified(state):
    """Only a confirmed story counts as verified; partly confirmed and not confirmed never do."""
    return state is VerificationState.CONFIRMED


def verification_tally(states):
    """``[(VerificationState, count)]`` of selected stories' states, every state listed, for key figures."""
    states = list(states)
    return [(state, states.count(state)) for state in VerificationState]


# The open domain ---------------------------------------------------------------------------------------


def says_open_domain(name):
    """Whether a domain name says "any other change" (in English, French or Spanish)."""
    return normalised(name) in OPEN_DOMAIN_WORDS


def domain_name_problems(name, is_open):
    """``(field, message)`` when a named domain would take a name that means the open domain."""
    if not is_open and says_open_domain(name):
        return [("name", N_("“%(name)s” means the open domain, which every cycle already has. Name what this "
                            "domain of change is about.", name=name))]
    return []



# Distressing content -------------------------------------------------------------------------------------

# Beginnings of words (normalised: no accents or case) by which a domain of change says that its stories
# recount harm done to children or help sought after it, in English, French and Spanish.
HARM_WORD_STEMS = ("abus", "exploit", "explot", "harm", "violen", "groom", "extor", "sextor", "traffick", "trafic",
                   "victim", "maltrat", "harass", "harcel", "acos", "bully", "intimid", "help", "aide", "ayud",
                   "assault", "agress", "agresi", "csam", "csea", "ocse")


@dataclass(frozen=True)
class DistressFacts:
    """What the safeguarding review knows when it proposes a story's distressing-content level."""

    safeguarding_status: SafeguardingStatus
    storyteller_category: StorytellerCategory
    age_band: AgeBand
    domain_name: str
    domain_definition: str = ""


def domain_recounts_harm(name, definition=""):
    """Whether a domain's name or definition says its stories are about harm, or help sought after it."""
    words = normalised(f"{name} {definition}").split("_")
    return any(word.startswith(HARM_WORD_STEMS) for word in words)


def propose_distress_level(facts):
    """The level the review proposes: a proposal only, since only the reviewer has read the story.

    Each of three flags raises the level: a restricted review (sharing is unsafe: a real, identifiable
    case), a child storyteller, a domain that recounts harm. Restricted with either of the others is severe;
    any one flag is some; none, none.
    """
    restricted = facts.safeguarding_status is SafeguardingStatus.RESTRICTED
    child = is_minor(facts.storyteller_category, facts.age_band)
    harm = domain_recounts_harm(facts.domain_name, facts.domain_definition)
    if restricted and (child or harm):
        return DistressLevel.SEVERE
    if restricted or child or harm:
        return DistressLevel.SOME
    return DistressLevel.NONE
