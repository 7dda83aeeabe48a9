"""Load the demo theories of change from ``seeds/demo/toc/<slug>.toml`` through the services (idempotent).

A file holds the first ``nodes`` (with ``key``s the rest of the file refers to) and
``links`` (with their ``assumptions``), then optional ``revisions``: each applies
more changes (new nodes and links, ``retitle``, ``remove_links``,
``assumption_updates``, ``factors``) and may then ``freeze`` a version, so a
demo can show a frozen baseline followed by later edits.
"""

from sqlmodel import select

from tracker.audit.services import Actor
from tracker.auth.services import member_project_ids
from tracker.seeding import read_section
from tracker.toc import services
from tracker.toc.models import TocLink


def user_actor(session, context, role, project=None):
    """An audit actor for the first demo user with ``role`` (a member of ``project`` if given), else None."""
    for user in context.get("users", {}).values():
        if user is None or user.role != role:
            continue
        if project is not None and project.id not in member_project_ids(session, user.id):
            continue
        return Actor(user_id=user.id, email=user.email, role=user.role.value)
    return None


def load(session, actor, context):
    author = user_actor(session, context, "me") or actor
    for slug, data in read_section(context, "toc"):
        project = context["projects"].get(slug)
        if project is None or services.has_nodes(session, project):
            continue
        nodes = {}
        apply_changes(session, author, project, data, nodes)
        for revision in data.get("revisions", []):
            apply_changes(session, author, project, revision, nodes)
            if revision.get("freeze"):
                services.freeze_version(session, author, project, revision["freeze"])


def apply_changes(session, actor, project, data, nodes):
    for item in data.get("nodes", []):
        nodes[item["key"]] = add_node(session, actor, project, item)
    for item in data.get("retitle", []):
        node = nodes[item["node"]]
        values = {name: getattr(node, name) for name in services.NODE_FIELDS}
        services.update_node(session, actor, project, node, {**values, "title": item["title"]}, node.version)
    for item in data.get("factors", []):
        services.add_factor(session, actor, project, nodes[item["node"]], {"text": item["text"]})
    for item in data.get("remove_links", []):
        services.delete_link(session, actor, project, find_link(session, nodes, item["cause"], item["effect"]))
    for item in data.get("links", []):
        link = services.create_link(session, actor, project, {
            "cause_id": nodes[item["cause"]].id, "effect_id": nodes[item["effect"]].id,
            "rationale": item.get("rationale", "")})
        for assumption in item.get("assumptions", []):
            services.add_assumption(session, actor, project, link, assumption)
    for item in data.get("assumption_updates", []):
        link = find_link(session, nodes, item["cause"], item["effect"])
        assumption = link.assumptions[item.get("index", 0)]
        values = {"text": assumption.text, "status": assumption.status, "note": assumption.note}
        services.update_assumption(session, actor, project, assumption, {**values, **item.get("set", {})},
                                   assumption.version)


def add_node(session, actor, project, item):
    node = services.create_node(session, actor, project, {
        "title": item["title"], "level": item["level"], "description": item.get("description", ""),
        "sphere": item.get("sphere", "influence"), "is_precondition": item.get("precondition", False),
        "position": item.get("position", 0)})
    for text in item.get("factors", []):
        services.add_factor(session, actor, project, node, {"text": text})
    return node


def find_link(session, nodes, cause, effect):
    return session.exec(
        select(TocLink).where(TocLink.cause_id == nodes[cause].id, TocLink.effect_id == nodes[effect].id)
    ).one()
