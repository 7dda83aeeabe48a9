"""Who gets which to-do, how a to-do is keyed, and what is new: plain rules (no Flask, no database).

A to-do is derived from workflow states each time it is shown or mailed, never stored. Each kind is
owed by one audience, decided by the permission the action needs (:mod:`tracker.auth.permissions`):

* ``team``: the project team, on the projects where membership gives them the permission (a grantee
  corrects a returned actual; staff, who hold it everywhere, are not the team);
* ``staff``: the roles that hold the permission everywhere (M&E staff review actuals);
* ``lead``: the roles that hold it everywhere or as the fund's data-protection lead (audit alerts).

A to-do's ``key`` names what the person was told about: its kind, where, and a marker that changes
when a new item joins (the newest submission's time, a record's version), so "immediately" mails a
count again when it grows and never twice for the same state.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.auth.permissions import holds_everywhere
from tracker.auth.permissions import scoped_project_ids
from tracker.common.messages import N_
from tracker.common.messages import N_plural
from tracker.common.messages import counted
from tracker.inbox.models import Frequency

TEAM, STAFF, LEAD = "team", "staff", "lead"


@dataclass(frozen=True)
class Kind:
    """A kind of to-do: who owes it (``audience`` and ``permission``) and the page where it is done."""

    name: str
    audience: str
    permission: str
    endpoint: str
    title: str
    wording: tuple


KINDS = (
    Kind("actual_returned", TEAM, "indicator.actuals.submit", "indicators.actual", N_("Returned actuals"),
         N_plural("%(num)d returned actual to correct", "%(num)d returned actuals to correct")),
    Kind("actual_due", TEAM, "indicator.actuals.submit", "indicators.index", N_("Actuals due"),
         N_plural("%(num)d period ended without an actual submitted",
                  "%(num)d periods ended without an actual submitted")),
    Kind("consent_needed", TEAM, "story.edit", "stories.story_list", N_("Consent to complete"),
         N_plural("%(num)d story whose consent needs completing", "%(num)d stories whose consent needs completing")),
    Kind("actuals_to_review", STAFF, "indicator.actuals.review", "indicators.review_queue", N_("Actuals to review"),
         N_plural("%(num)d actual to review", "%(num)d actuals to review")),
    Kind("safeguarding_review", STAFF, "story.safeguard", "msc.story_list", N_("Safeguarding reviews"),
         N_plural("%(num)d story awaiting safeguarding review", "%(num)d stories awaiting safeguarding review")),
    Kind("donor_version", STAFF, "story.safeguard", "msc.story_list", N_("Donor versions"),
         N_plural("%(num)d story whose donor version needs preparing or approving",
                  "%(num)d stories whose donor version needs preparing or approving")),
    Kind("substantiation_pending", STAFF, "outcome.substantiate", "outcomes.outcome_list", N_("Substantiation"),
         N_plural("%(num)d outcome awaiting substantiation", "%(num)d outcomes awaiting substantiation")),
    Kind("disagreement_to_acknowledge", STAFF, "outcome.substantiate", "outcomes.outcome_detail",
         N_("Disagreements to acknowledge"),
         N_plural("%(num)d outcome with a substantiator's disagreement to acknowledge",
                  "%(num)d outcomes with a substantiator's disagreement to acknowledge")),
    Kind("feedback_owed", STAFF, "msc.select", "msc.feedback_owed", N_("Feedback owed"),
         N_plural("%(num)d selected story owing feedback", "%(num)d selected stories owing feedback")),
    Kind("audit_alerts", LEAD, "audit.insight", "insight.alerts", N_("Access alerts"),
         N_plural("%(num)d open access alert", "%(num)d open access alerts")),
)
BY_NAME = {kind.name: kind for kind in KINDS}


@dataclass(frozen=True)
class Todo:
    """One to-do: ``count`` items of ``kind`` (in one project, or one record), the oldest waiting since
    ``oldest``, done at ``endpoint`` with ``values``. It holds ids, slugs, counts and dates, never text."""

    kind: str
    count: int
    oldest: date | datetime | None
    marker: str
    values: dict = field(default_factory=dict)
    project_slug: str | None = None
    record_id: int | None = None

    @property
    def endpoint(self):
        return BY_NAME[self.kind].endpoint

    @property
    def text(self):
        """What is to be done, as a message with the count (no record's text: there is none to give)."""
        return counted(BY_NAME[self.kind].wording, self.count)

    @property
    def key(self):
        return todo_key(self.kind, self.project_slug, self.record_id, self.marker)


def todo_key(kind, project_slug, record_id, marker):
    """The stable key of a to-do: the same state always gives the same key, a new item a new one."""
    return ":".join(str(part) for part in (kind, project_slug or "*", record_id or "*", marker))


def digest_key(day):
    """The key that records the digest of ``day`` (a UTC date) as sent, so a second run that day sends nothing."""
    return f"digest:{day.isoformat()}"


@dataclass(frozen=True)
class Viewer:
    """What decides a person's to-dos: their role, their memberships and the data-protection lead flag."""

    user_id: int
    role: Role
    member_project_ids: frozenset = frozenset()
    is_lead: bool = False


def owed(kind, viewer):
    """Whether ``viewer`` owes to-dos of ``kind`` at all (on some projects, for team kinds)."""
    if kind.audience == TEAM:
        return bool(team_projects(kind, viewer))
    if kind.audience == STAFF:
        return holds_everywhere(viewer.role, kind.permission)
    return allows(viewer.role, kind.permission, is_lead=viewer.is_lead)


def team_projects(kind, viewer):
    """The projects on which ``viewer`` owes ``kind`` as a member of the project team."""
    return scoped_project_ids(viewer.role, kind.permission, viewer.member_project_ids)


def kinds_for(viewer):
    return [kind for kind in KINDS if owed(kind, viewer)]


def default_frequency(role):
    """Without a choice of their own: staff get a daily digest (their queues are long-lived), grantees are
    mailed at once (a returned actual or a consent to complete is rare and theirs to act on), donors owe
    nothing."""
    return {Role.GRANTEE: Frequency.IMMEDIATELY, Role.DONOR: Frequency.NEVER}.get(Role(role), Frequency.DAILY)


def unsent(todos, sent_keys):
    """The to-dos whose key the person has not been told about yet."""
    return [todo for todo in todos if todo.key not in sent_keys]


def total(todos):
    return sum(todo.count for todo in todos)
