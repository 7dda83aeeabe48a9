"""Who asks for a report and for which period, as plain values (no Flask, no database)."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.auth.permissions import may_break_glass
from tracker.auth.permissions import scoped_project_ids
from tracker.reports.models import Audience


@dataclass(frozen=True)
class Requester:
    """The requesting user's scope: role, memberships and the projects they broke the glass for.

    ``name`` appears on the cover of internal reports ("Prepared for …").
    """

    name: str
    role: Role
    member_project_ids: frozenset = field(default_factory=frozenset)
    break_glass_project_ids: frozenset = field(default_factory=frozenset)

    @classmethod
    def command_line(cls):
        """The operator at the command line: sees what M&E staff see (every project, every story)."""
        return cls("command line", Role.ME)

    def is_member(self, project_id):
        return project_id in self.member_project_ids

    def may(self, permission, project_id=None):
        return allows(self.role, permission, is_member=project_id is not None and self.is_member(project_id))

    def may_request(self, audience, project_id=None):
        """Donors may only ask for the donor report; internal reports need ``report.internal`` on the project."""
        if Audience(audience) is Audience.DONOR:
            return True
        return self.may("report.internal", project_id)

    def sees_stories_of(self, project_id):
        """Whether internal reports may show this project's stories to this user (break the glass for admins)."""
        if self.may("story.view", project_id):
            return True
        return may_break_glass(self.role, "story.view") and project_id in self.break_glass_project_ids

    def scoped_project_ids(self, permission):
        """The projects beyond the role's everywhere scope where it holds ``permission`` (the rule table decides)."""
        return scoped_project_ids(self.role, permission, self.member_project_ids, self.break_glass_project_ids)

    def sees_outcomes_of(self, project_id):
        """Whether internal reports may show this project's outcomes to this user (break the glass for admins)."""
        return self.may("outcome.view", project_id) or project_id in self.scoped_project_ids("outcome.view")

    def sees_contribution_of(self, project_id):
        return self.may("contribution.view", project_id)


@dataclass(frozen=True)
class Period:
    """A reporting period; a missing bound is open. The default, both open, is the whole project."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        if self.start and self.end and self.start > self.end:
            raise ValueError("the period must start before it ends")

    @property
    def is_whole(self):
        return self.start is None and self.end is None

    def contains(self, day):
        """Whether ``day`` falls in the period; undated material counts only when the period is the whole project."""
        if self.is_whole:
            return True
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def overlaps(self, start, end):
        """Whether the span ``start``–``end`` (an indicator period) shares at least one day with the period."""
        return (self.start is None or end >= self.start) and (self.end is None or start <= self.end)
