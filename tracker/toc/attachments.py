"""What hangs on theory-of-change nodes and links, so that deleting them can be refused with a clear message.

Each area that attaches records to nodes or links lists a counter here as
``"module:function"``; the function is ``function(session, ids) -> {id: count}``.
The key names the kind of record ("indicator", "outcome", "story", "evidence", ...).
A counter for a kind that not everyone may see (stories, outcomes, evidence) also
takes ``visible_ids``, a one-column SELECT of the ids the viewer may see, and then
counts only those: a donor's count goes through the donor rule, like every donor list.
"""

import importlib

NODE_COUNTERS = {
    "indicator": "tracker.indicators.services:count_by_node",
    "outcome": "tracker.outcomes.services:count_by_node",
    "story": "tracker.msc.services:count_by_node",
    "claim": "tracker.contribution.services:count_by_node",
}
LINK_COUNTERS = {
    "evidence": "tracker.evidence.services:count_by_link",
    "claim": "tracker.contribution.services:count_by_link",
}


def _count(counters, session, ids, visible):
    ids = list(ids)
    totals = {object_id: {} for object_id in ids}
    for kind, path in counters.items():
        module, function = path.split(":")
        narrowed = {"visible_ids": visible[kind]} if kind in visible else {}
        for object_id, count in getattr(importlib.import_module(module), function)(session, ids, **narrowed).items():
            if count:
                totals[object_id][kind] = count
    return totals


def node_attachments(session, node_ids, visible=None):
    """Return ``{node_id: {kind: count}}`` for the records attached to each node (kinds with 0 left out).

    ``visible`` maps a kind to the SELECT of the ids the viewer may see; without it every record counts
    (as when deciding whether a node may be deleted).
    """
    return _count(NODE_COUNTERS, session, node_ids, visible or {})


def link_attachments(session, link_ids, visible=None):
    """Return ``{link_id: {kind: count}}`` for the records attached to each link (kinds with 0 left out)."""
    return _count(LINK_COUNTERS, session, link_ids, visible or {})
