"""Load the demo indicators from ``seeds/demo/indicators/<slug>.toml`` through the services (idempotent).

Each indicator names the ToC node it measures by its exact title. Each period may
carry an actual with a ``status``: ``draft`` (saved by the project team),
``submitted``, ``approved`` or ``returned`` (reviewed by M&E staff, with a
``review_note``), and an optional ``revision`` saved as a draft after approval.
"""

from sqlmodel import select

from tracker.indicators import services
from tracker.indicators.models import Indicator
from tracker.seeding import read_section
from tracker.toc import services as toc_services
from tracker.toc.seeding import user_actor

INDICATOR_KEYS = ("title", "definition", "means_of_verification", "measure", "ascending", "unit", "baseline_year",
                  "baseline_date", "baseline_comment", "public")


def load(session, actor, context):
    reviewer = user_actor(session, context, "me") or actor
    for slug, data in read_section(context, "indicators"):
        project = context["projects"].get(slug)
        if project is None or has_indicators(session, project):
            continue
        # Without a grantee account the command line submits, so that the M&E officer's approval keeps four eyes.
        team = user_actor(session, context, "grantee", project) or actor
        nodes = {node.title: node for node in toc_services.load_nodes(session, project)}
        for item in data.get("indicators", []):
            values = {key: item[key] for key in INDICATOR_KEYS if key in item}
            values.update(node_id=nodes[item["node"]].id, baseline_value=text(item.get("baseline_value")),
                          dimensions="\n".join(item.get("dimensions", [])))
            indicator = services.create_indicator(session, reviewer, project, values)
            for period in item.get("periods", []):
                add_period(session, project, indicator, period, team, reviewer)


def has_indicators(session, project):
    return session.exec(select(Indicator.id).where(Indicator.project_id == project.id).limit(1)).first() is not None


def text(value):
    return "" if value is None else str(value)


def breakdown(indicator, mapping):
    """Turn ``{"sex: female": 120}`` into the form-style fields the services read."""
    return {services.breakdown_field(index): text((mapping or {}).get(f"{dimension}: {category}"))
            for index, (dimension, category) in enumerate(services.breakdown_keys(indicator))}


def add_period(session, project, indicator, item, team, reviewer):
    period = services.create_period(session, reviewer, project, indicator, {
        "start_date": item["start"], "end_date": item["end"], "target_value": text(item.get("target")),
        "target_comment": item.get("target_comment", ""),
        "target_breakdown_partial": item.get("target_breakdown_partial", False),
        **breakdown(indicator, item.get("target_breakdown"))})
    status = item.get("status")
    if not status:
        return
    values = {"value": text(item.get("actual")), "comment": item.get("actual_comment", ""),
              "breakdown_partial": item.get("actual_breakdown_partial", False),
              **breakdown(indicator, item.get("actual_breakdown"))}
    services.save_actual(session, team, project, indicator, period, values, submit=status != "draft")
    if status in ("approved", "returned"):
        services.review_actual(session, reviewer, project, period, approve=status == "approved",
                               note=item.get("review_note", ""))
    if "revision" in item:
        revision = {**values, "value": text(item["revision"]), "comment": item.get("revision_comment", "")}
        services.save_actual(session, team, project, indicator, period, revision, submit=False,
                             version=period.actual.version)
