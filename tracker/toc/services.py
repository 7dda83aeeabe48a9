"""Theory of change: nodes, links, assumptions, external factors, level labels and frozen versions.

Services validate, flush and write the audit entry; they never commit. The graph
checks themselves live in :mod:`tracker.toc.graph`.
"""

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import N_plural
from tracker.common.messages import counted
from tracker.common.messages import lazy
from tracker.common.messages import listing
from tracker.portfolio.services import fund_settings_changed
from tracker.toc import graph
from tracker.toc.attachments import link_attachments
from tracker.toc.attachments import node_attachments
from tracker.toc.models import Assumption
from tracker.toc.models import AssumptionStatus
from tracker.toc.models import ExternalFactor
from tracker.toc.models import NodeLevel
from tracker.toc.models import Sphere
from tracker.toc.models import TocLevelLabel
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode
from tracker.toc.models import TocVersion

DEFAULT_LEVEL_LABELS = {
    NodeLevel.ACTIVITY: lazy(N_("Activity")),
    NodeLevel.OUTPUT: lazy(N_("Output")),
    NodeLevel.SHORT_TERM_OUTCOME: lazy(N_("Short-term outcome")),
    NodeLevel.INTERMEDIATE_OUTCOME: lazy(N_("Intermediate outcome")),
    NodeLevel.LONG_TERM_OUTCOME: lazy(N_("Long-term outcome")),
    NodeLevel.IMPACT: lazy(N_("Impact")),
}
SPHERE_LABELS = {
    Sphere.CONTROL: lazy(N_("Sphere of control (the project delivers it)")),
    Sphere.INFLUENCE: lazy(N_("Sphere of influence (beyond the ceiling of accountability)")),
}
ASSUMPTION_STATUS_LABELS = {
    AssumptionStatus.UNTESTED: lazy(N_("Untested")),
    AssumptionStatus.SUPPORTED: lazy(N_("Supported")),
    AssumptionStatus.PARTLY_SUPPORTED: lazy(N_("Partly supported")),
    AssumptionStatus.NOT_SUPPORTED: lazy(N_("Not supported")),
}
ATTACHMENT_NAMES = {
    "indicator": N_plural("%(num)d indicator", "%(num)d indicators"),
    "outcome": N_plural("%(num)d outcome", "%(num)d outcomes"),
    "story": N_plural("%(num)d story", "%(num)d stories"),
    "evidence": N_plural("%(num)d piece of evidence", "%(num)d pieces of evidence"),
    "claim": N_plural("%(num)d contribution claim", "%(num)d contribution claims"),
}
NODE_FIELDS = ("title", "level", "description", "sphere", "is_precondition", "position")
LINK_FIELDS = ("cause_id", "effect_id", "rationale")


# Level labels ------------------------------------------------------------------------


def level_labels(session, fund_id):
    """Return ``{level: label}`` for every level: the fund's own labels, else the defaults."""
    own = {row.level: row.label for row in session.exec(select(TocLevelLabel).where(TocLevelLabel.fund_id == fund_id))}
    return {level.value: own.get(level) or str(DEFAULT_LEVEL_LABELS[level]) for level in NodeLevel}


def save_level_labels(session, actor, fund, labels, version):
    """Store the fund's labels; an empty label goes back to the default. ``version`` is the fund's."""
    check_version(fund, version)
    rows = {row.level: row for row in session.exec(select(TocLevelLabel).where(TocLevelLabel.fund_id == fund.id))}
    changed = []
    for level in NodeLevel:
        label = (labels.get(level.value) or "").strip()
        row = rows.get(level)
        if label and label != str(DEFAULT_LEVEL_LABELS[level]):
            if row is None or row.label != label:
                row = row or TocLevelLabel(fund_id=fund.id, level=level, label=label)
                row.label = label
                session.add(row)
                changed.append(level.value)
        elif row is not None:
            session.delete(row)
            changed.append(level.value)
    if changed:
        fund_settings_changed(session, fund)
    session.flush()
    record(session, actor, "update", "toc_level_labels", fund.id, details={"levels": changed})
    return changed


# Lookups within a project --------------------------------------------------------------


def get_node(session, project, node_id):
    node = session.get(TocNode, node_id)
    return node if node is not None and node.project_id == project.id else None


def get_link(session, project, link_id):
    link = session.get(TocLink, link_id)
    return link if link is not None and link.project_id == project.id else None


def get_assumption(session, project, assumption_id):
    return session.exec(
        select(Assumption).join(TocLink, TocLink.id == Assumption.link_id)
        .where(Assumption.id == assumption_id, TocLink.project_id == project.id)
    ).first()


def get_factor(session, project, factor_id):
    return session.exec(
        select(ExternalFactor).join(TocNode, TocNode.id == ExternalFactor.node_id)
        .where(ExternalFactor.id == factor_id, TocNode.project_id == project.id)
    ).first()


def get_version(session, project, number):
    return session.exec(
        select(TocVersion).where(TocVersion.project_id == project.id, TocVersion.number == number)
    ).first()


def node_sort_key(node):
    return graph.RANK.get(str(node.level), len(graph.RANK)), node.position, node.id


def load_nodes(session, project):
    """All the project's nodes with their external factors, in level order (two queries)."""
    nodes = session.exec(
        select(TocNode).where(TocNode.project_id == project.id).options(selectinload(TocNode.external_factors))
    ).all()
    return sorted(nodes, key=node_sort_key)


def load_links(session, project):
    """All the project's links with their assumptions (two queries)."""
    return list(session.exec(
        select(TocLink).where(TocLink.project_id == project.id)
        .options(selectinload(TocLink.assumptions)).order_by(TocLink.id)
    ))


def has_nodes(session, project):
    return session.exec(select(TocNode.id).where(TocNode.project_id == project.id).limit(1)).first() is not None


def links_of(session, node):
    return list(session.exec(
        select(TocLink).where(sa.or_(TocLink.cause_id == node.id, TocLink.effect_id == node.id))
        .options(selectinload(TocLink.assumptions)).order_by(TocLink.id)
    ))


def node_snapshot(node):
    return {
        "id": node.id, "level": str(node.level), "title": node.title, "description": node.description,
        "sphere": str(node.sphere), "is_precondition": node.is_precondition, "position": node.position,
        "external_factors": [{"id": factor.id, "text": factor.text} for factor in node.external_factors],
    }


def link_snapshot(link):
    return {
        "id": link.id, "cause": link.cause_id, "effect": link.effect_id, "rationale": link.rationale,
        "assumptions": [{"id": item.id, "text": item.text, "status": str(item.status), "note": item.note}
                        for item in link.assumptions],
    }


def snapshot(session, project):
    """The working graph as plain data (the format :mod:`tracker.toc.graph` documents)."""
    nodes = load_nodes(session, project)
    order = {node.id: rank for rank, node in enumerate(nodes)}
    links = sorted(load_links(session, project), key=lambda link: (order[link.cause_id], order[link.effect_id]))
    return {"nodes": [node_snapshot(node) for node in nodes], "links": [link_snapshot(link) for link in links]}


def working_graph(session, project):
    nodes = session.exec(select(TocNode.id, TocNode.level, TocNode.title).where(TocNode.project_id == project.id))
    links = session.exec(select(TocLink.id, TocLink.cause_id, TocLink.effect_id)
                         .where(TocLink.project_id == project.id))
    return graph.build([graph.Node(row[0], str(row[1]), row[2]) for row in nodes],
                       [graph.Link(*row) for row in links])


# Attachments --------------------------------------------------------------------------


def describe_attachments(counts):
    """E.g. "2 indicators, 3 outcomes" for ``{"indicator": 2, "outcome": 3}``."""
    return listing([counted(ATTACHMENT_NAMES.get(kind, (f"%(num)d {kind}", f"%(num)d {kind}")), count)
                    for kind, count in sorted(counts.items())])


def merge_counts(per_object):
    totals = {}
    for counts in per_object.values():
        for kind, count in counts.items():
            totals[kind] = totals.get(kind, 0) + count
    return totals


# Nodes --------------------------------------------------------------------------------


def clean_node_values(values):
    cleaned = {name: values.get(name) for name in NODE_FIELDS}
    cleaned["title"] = " ".join((cleaned["title"] or "").split())
    cleaned["description"] = (cleaned["description"] or "").strip()
    cleaned["is_precondition"] = bool(cleaned["is_precondition"])
    cleaned["position"] = int(cleaned["position"] or 0)
    reasons = []
    if not cleaned["title"]:
        reasons.append(("title", N_("Give the node a title.")))
    try:
        cleaned["level"] = NodeLevel(cleaned["level"])
    except ValueError:
        reasons.append(("level", N_("Choose a level.")))
    try:
        cleaned["sphere"] = Sphere(cleaned["sphere"] or Sphere.INFLUENCE)
    except ValueError:
        reasons.append(("sphere", N_("Choose the sphere of control or of influence.")))
    if reasons:
        raise ValidationFailed(reasons)
    return cleaned


def create_node(session, actor, project, values):
    values = clean_node_values(values)
    node = TocNode(project_id=project.id, **values)
    session.add(node)
    session.flush()
    record(session, actor, "create", "toc_node", node.id, project_id=project.id)
    return node


def update_node(session, actor, project, node, values, version):
    check_version(node, version)
    values = clean_node_values(values)
    fields = changed_fields(node, values)
    for name, value in values.items():
        setattr(node, name, value)
    session.add(node)
    session.flush()
    record(session, actor, "update", "toc_node", node.id, project_id=project.id, details={"fields": fields})
    return node


def node_deletion_blockers(session, node, links):
    """Why ``node`` (with its ``links``) cannot be deleted: one sentence per kind of attachment, or none."""
    on_node = node_attachments(session, [node.id])[node.id]
    on_links = merge_counts(link_attachments(session, [link.id for link in links]))
    reasons = []
    if on_node:
        reasons.append(N_("“%(title)s” cannot be deleted: %(attached)s attached to it.",
                          title=node.title, attached=describe_attachments(on_node)))
    if on_links:
        reasons.append(N_("“%(title)s” cannot be deleted: its links carry %(attached)s.",
                          title=node.title, attached=describe_attachments(on_links)))
    return reasons


def delete_node(session, actor, project, node):
    """Delete ``node`` and its links, unless outcomes, indicators, evidence… hang on either."""
    links = links_of(session, node)
    reasons = node_deletion_blockers(session, node, links)
    if reasons:
        raise ValidationFailed([(None, reason) for reason in reasons])
    for link in links:
        session.delete(link)
    session.flush()
    node_id = node.id
    session.delete(node)
    session.flush()
    record(session, actor, "delete", "toc_node", node_id, project_id=project.id,
           details={"links": [link.id for link in links]})


# Links --------------------------------------------------------------------------------


def validate_link(session, project, values, link=None):
    """Check the ends exist in this project, the link is new and closes no cycle."""
    cause, effect = get_node(session, project, values["cause_id"]), get_node(session, project, values["effect_id"])
    reasons = []
    if cause is None:
        reasons.append(("cause_id", N_("Choose the cause from this theory of change.")))
    if effect is None:
        reasons.append(("effect_id", N_("Choose the effect from this theory of change.")))
    if reasons:
        raise ValidationFailed(reasons)
    if cause.id == effect.id:
        raise ValidationFailed.on("effect_id", N_("A node cannot cause itself: choose a different effect."))
    clash = session.exec(select(TocLink).where(TocLink.cause_id == cause.id, TocLink.effect_id == effect.id)).first()
    if clash is not None and clash is not link:
        raise ValidationFailed.on("effect_id", N_("“%(cause)s” already leads to “%(effect)s”.",
                                                  cause=cause.title, effect=effect.title))
    replacing = (link.cause_id, link.effect_id) if link is not None else None
    try:
        graph.check_link(working_graph(session, project), cause.id, effect.id, replacing)
    except graph.CycleError as error:
        raise ValidationFailed.on("effect_id", N_(
            "This link would create a cycle: %(cycle)s. A theory of change only runs forward; "
            "choose another effect or remove a link in the loop first.", cycle=error.description)) from None


def clean_link_values(values):
    return {"cause_id": values.get("cause_id"), "effect_id": values.get("effect_id"),
            "rationale": (values.get("rationale") or "").strip()}


def create_link(session, actor, project, values):
    values = clean_link_values(values)
    validate_link(session, project, values)
    link = TocLink(project_id=project.id, **values)
    session.add(link)
    session.flush()
    record(session, actor, "create", "toc_link", link.id, project_id=project.id)
    return link


def update_link(session, actor, project, link, values, version):
    check_version(link, version)
    values = clean_link_values(values)
    validate_link(session, project, values, link)
    fields = changed_fields(link, values)
    for name, value in values.items():
        setattr(link, name, value)
    session.add(link)
    session.flush()
    record(session, actor, "update", "toc_link", link.id, project_id=project.id, details={"fields": fields})
    return link


def link_deletion_blockers(session, link):
    attached = link_attachments(session, [link.id])[link.id]
    if not attached:
        return []
    return [N_("This link cannot be deleted: %(attached)s attached to it.", attached=describe_attachments(attached))]


def delete_link(session, actor, project, link):
    reasons = link_deletion_blockers(session, link)
    if reasons:
        raise ValidationFailed([(None, reason) for reason in reasons])
    link_id = link.id
    session.delete(link)
    session.flush()
    record(session, actor, "delete", "toc_link", link_id, project_id=project.id)


# Assumptions and external factors -------------------------------------------------------


def clean_assumption_values(values):
    cleaned = {"text": (values.get("text") or "").strip(), "note": (values.get("note") or "").strip()}
    if not cleaned["text"]:
        raise ValidationFailed.on("text", N_("State the assumption."))
    try:
        cleaned["status"] = AssumptionStatus(values.get("status") or AssumptionStatus.UNTESTED)
    except ValueError:
        raise ValidationFailed.on("status", N_("Choose a status.")) from None
    return cleaned


def add_assumption(session, actor, project, link, values):
    assumption = Assumption(link_id=link.id, **clean_assumption_values(values))
    session.add(assumption)
    session.flush()
    record(session, actor, "create", "assumption", assumption.id, project_id=project.id)
    return assumption


def update_assumption(session, actor, project, assumption, values, version):
    check_version(assumption, version)
    values = clean_assumption_values(values)
    fields = changed_fields(assumption, values)
    for name, value in values.items():
        setattr(assumption, name, value)
    session.add(assumption)
    session.flush()
    record(session, actor, "update", "assumption", assumption.id, project_id=project.id, details={"fields": fields})
    return assumption


def delete_assumption(session, actor, project, assumption):
    assumption_id = assumption.id
    session.delete(assumption)
    session.flush()
    record(session, actor, "delete", "assumption", assumption_id, project_id=project.id)


def clean_factor_text(values):
    text = (values.get("text") or "").strip()
    if not text:
        raise ValidationFailed.on("text", N_("Describe the external factor."))
    return text


def add_factor(session, actor, project, node, values):
    factor = ExternalFactor(node_id=node.id, text=clean_factor_text(values))
    session.add(factor)
    session.flush()
    record(session, actor, "create", "external_factor", factor.id, project_id=project.id)
    return factor


def update_factor(session, actor, project, factor, values, version):
    check_version(factor, version)
    factor.text = clean_factor_text(values)
    session.add(factor)
    session.flush()
    record(session, actor, "update", "external_factor", factor.id, project_id=project.id)
    return factor


def delete_factor(session, actor, project, factor):
    factor_id = factor.id
    session.delete(factor)
    session.flush()
    record(session, actor, "delete", "external_factor", factor_id, project_id=project.id)


# Versions -----------------------------------------------------------------------------


def latest_version(session, project):
    return session.exec(
        select(TocVersion).where(TocVersion.project_id == project.id).order_by(TocVersion.number.desc()).limit(1)
    ).first()


def version_count(session, project):
    statement = select(sa.func.count()).select_from(TocVersion).where(TocVersion.project_id == project.id)
    return session.exec(statement).one()


def freeze_version(session, actor, project, label):
    """Store the working graph as the next numbered version, e.g. "Baseline"; later edits make a new working version."""
    label = " ".join((label or "").split())
    if not label:
        raise ValidationFailed.on("label", N_("Name the version, e.g. Baseline or Midline."))
    if not has_nodes(session, project):
        raise ValidationFailed.on(None, N_("There is nothing to freeze yet: add nodes first."))
    latest = latest_version(session, project)
    version = TocVersion(project_id=project.id, number=(latest.number if latest else 0) + 1, label=label,
                         frozen_by_id=actor.user_id, snapshot=snapshot(session, project))
    session.add(version)
    session.flush()
    record(session, actor, "freeze", "toc_version", version.id, project_id=project.id,
           details={"number": version.number})
    return version


def versions_statement(project):
    """The project's versions, newest first, without their (large) snapshots."""
    return (select(TocVersion).where(TocVersion.project_id == project.id)
            .options(defer(TocVersion.snapshot)).order_by(TocVersion.number.desc()))


def all_versions(session, project):
    return list(session.exec(versions_statement(project)))


def user_names(session, user_ids):
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all())
