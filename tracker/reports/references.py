"""Numbered evidence references: every claim and figure of a report cites entries of its evidence annex.

A piece of evidence gets its number the first time it is cited, so the annex is in
the order of first citation and holds nothing that is not cited. The same record
cited from several places (an outcome in the summary, on a pathway link and in a
tracing step) keeps one number. Keys name the record, not the evidence item, so an
evidence item that stands for an outcome, a story or an indicator result shares the
number of that record.
"""

from dataclasses import dataclass
from dataclasses import field


@dataclass
class Reference:
    """One annex entry: ``kind`` (outcome, story, indicator_result, document, web_link, interview, observation),
    a ``title`` and plain ``facts`` (a dict the annex template words, by kind)."""

    number: int
    key: tuple
    kind: str
    title: str
    facts: dict = field(default_factory=dict)
    project_title: str = ""

    @property
    def anchor(self):
        return f"ev-{self.number}"


@dataclass
class References:
    """The annex being built: :meth:`cite` returns a record's number, adding its entry on first citation."""

    entries: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)

    def cite(self, key, describe):
        """The :class:`Reference` of ``key``; ``describe()`` gives ``(kind, title, facts, project_title)`` the first
        time ``key`` is cited."""
        number = self.numbers.get(key)
        if number is None:
            number = len(self.entries) + 1
            kind, title, facts, project_title = describe()
            self.entries.append(Reference(number, key, kind, title, facts, project_title))
            self.numbers[key] = number
        return self.entries[number - 1]


def ranges(numbers):
    """Compress reference numbers into ``[(first, last)]`` runs, e.g. 1 2 3 7 9 10 → (1, 3), (7, 7), (9, 10)."""
    runs = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs
