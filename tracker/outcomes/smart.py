"""The SMART checklist for outcome statements, and prompts computed from what the record already says.

The five criteria come from Wilson-Grau's guidance on formulating outcomes:
the harvester ticks each one as a self-check, and the record itself suggests
where a statement is probably not there yet (no date, no place, a date
outside the harvest period ...). Prompts advise; they never block saving.
"""

from dataclasses import dataclass

from tracker.common.messages import N_


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    question: str


CRITERIA = (
    Criterion("specific", N_("Specific"),
              N_("Could someone who does not know the project understand who changed what, when and where?")),
    Criterion("measurable", N_("Measurable"),
              N_("Does the statement give verifiable quantitative or qualitative detail (how many, how much, which)?")),
    Criterion("achieved", N_("Achieved"),
              N_("Does it show plausibly how the project contributed, who did what?")),
    Criterion("relevant", N_("Relevant"),
              N_("Is the change a significant step towards the impact the project seeks?")),
    Criterion("timely", N_("Timely"),
              N_("Did the change happen within the harvest period, even if the project's contribution came earlier?")),
)
KEYS = tuple(criterion.key for criterion in CRITERIA)


def clean_checks(values):
    """Keep only known criteria, as booleans."""
    return {key: bool((values or {}).get(key)) for key in KEYS}


def prompts(record, period=None):
    """Return ``[(criterion key, prompt)]`` for gaps visible in ``record`` (a mapping of outcome fields).

    ``period`` is the harvest's ``(start, end)`` dates, if known.
    """
    found = []
    if not record.get("change_date"):
        found.append(("specific", N_("Say when the change happened (at least the year).")))
    if not record.get("country_code") and not (record.get("area") or "").strip():
        found.append(("specific", N_("Say where the change happened.")))
    if not (record.get("social_actor") or "").strip():
        found.append(("specific", N_("Name who changed: an organisation or a role, never a private person.")))
    if len((record.get("description") or "").split()) < 12:
        found.append(("measurable", N_("The description is very short; add what exactly changed and how you know.")))
    if not (record.get("sources") or "").strip():
        found.append(("measurable", N_("List the sources that document the change.")))
    if not (record.get("contribution") or "").strip():
        found.append(("achieved", N_("Explain how the project plausibly influenced the change.")))
    if not (record.get("significance") or "").strip():
        found.append(("relevant", N_("Explain why the change matters for children's safety online.")))
    change_date = record.get("change_date")
    if change_date and period and not (period[0] <= change_date <= period[1]):
        found.append(("timely", N_("The change date lies outside the harvest period.")))
    return found
