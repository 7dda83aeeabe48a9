"""Permission-aware full-text search over outcomes and stories, on SQLite FTS5 and PostgreSQL.

Queries in scripts written without spaces between words (Thai, Khmer, Lao,
Myanmar, Chinese, Japanese) cannot be found by word indexes, so they are
matched as case-insensitive substrings of the same fields instead
(:func:`_substring_hits`); that path scans the visible set without an index,
which is fine at the scale of a fund's stories.

The caller passes the *visibility* SELECT for the user (from
:func:`tracker.outcomes.sharing.outcomes_visible_to` or
:func:`tracker.msc.sharing.stories_visible_to`; for donors that is the
donor rule), and search only narrows it: a record outside it can never be
found, counted or highlighted. Matching runs in three steps with a fixed
number of queries: (1) rank the matching ids inside the visible set and take
one page, (2) load those records, (3) fetch highlighted snippets for the page only.

Donors search stories in their approved *donor versions* only
(:mod:`tracker.msc.donor_version`), never in the stories' own text: a name
that was redacted can neither match nor appear in a snippet. The donor-visible
set is small, so that path matches substrings without an index.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker.common.highlight import START
from tracker.common.highlight import STOP
from tracker.common.highlight import pattern_for
from tracker.common.highlight import segments
from tracker.common.highlight import window
from tracker.common.pagination import MAX_PER_PAGE
from tracker.common.pagination import Page
from tracker.common.pagination import last_page
from tracker.db_search import TEXT_CONFIG
from tracker.db_search import vector_sql
from tracker.msc.models import Story
from tracker.msc.models import StoryDonorText
from tracker.msc.models import StoryTranslation
from tracker.outcomes.models import Outcome
from tracker.search import query as parsing

KINDS = ("outcome", "story")
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=28, MinWords=10, "
                    'FragmentDelimiter=" … "')


@dataclass
class Hit:
    record: object
    snippet: list  # [(text, is_match)]


@dataclass
class Results:
    text: str
    kind: str
    page: object
    hits: list
    counts: dict


# Step 1: matching ids with a rank (lower is better) ------------------------------------


def _fts(table):
    return sa.table(f"{table}_fts", sa.column("rowid"), sa.column("rank"))


def _fts_match(table, expression):
    return sa.literal_column(f"{table}_fts").op("MATCH")(expression)


def _sqlite_hits(kind, text, ranked=True):
    expression = parsing.fts5_query(text)
    if kind == "outcome":
        fts = _fts("outcome")
        return sa.select(fts.c.rowid.label("record_id"), fts.c.rank.label("rank")).where(
            _fts_match("outcome", expression))
    story_fts, translation_fts = _fts("story"), _fts("story_translation")
    own = sa.select(story_fts.c.rowid.label("record_id"), story_fts.c.rank.label("rank")).where(
        _fts_match("story", expression))
    translated = (
        sa.select(StoryTranslation.story_id.label("record_id"), translation_fts.c.rank.label("rank"))
        .select_from(translation_fts.join(StoryTranslation, StoryTranslation.id == translation_fts.c.rowid))
        .where(_fts_match("story_translation", expression))
    )
    both = sa.union_all(own, translated).subquery()
    return sa.select(both.c.record_id, sa.func.min(both.c.rank).label("rank")).group_by(both.c.record_id)


def _tsquery(text):
    return sa.func.websearch_to_tsquery(sa.literal_column(f"'{TEXT_CONFIG}'::regconfig"), parsing.clean(text))


def _vector(table):
    return sa.literal_column(vector_sql(table))


def _postgres_hits(kind, text, ranked=True):
    """Matches on PostgreSQL. Ranking recomputes each match's vector (the index is on an expression), so
    counts skip it (``ranked=False``)."""
    tsquery = _tsquery(text)

    def rank(table):
        return (-sa.func.ts_rank(_vector(table), tsquery) if ranked else sa.literal(0)).label("rank")

    if kind == "outcome":
        return sa.select(Outcome.id.label("record_id"), rank("outcome")).where(_vector("outcome").op("@@")(tsquery))
    own = sa.select(Story.id.label("record_id"), rank("story")).where(_vector("story").op("@@")(tsquery))
    translated = sa.select(StoryTranslation.story_id.label("record_id"), rank("story_translation")).where(
        _vector("story_translation").op("@@")(tsquery))
    both = sa.union_all(own, translated).subquery()
    return sa.select(both.c.record_id, sa.func.min(both.c.rank).label("rank")).group_by(both.c.record_id)


OUTCOME_TEXT = (Outcome.description, Outcome.social_actor, Outcome.significance, Outcome.contribution)
STORY_TEXT = (Story.title, Story.what_happened, Story.why_significant)
TRANSLATION_TEXT = (StoryTranslation.title, StoryTranslation.what_happened, StoryTranslation.why_significant)
DONOR_TEXT = (StoryDonorText.title, StoryDonorText.what_happened, StoryDonorText.why_significant)


def _substring_condition(columns, text):
    """All of the query's words (or OR'd alternatives) appear somewhere in ``columns``; excluded words do not."""
    def anywhere(term):
        return sa.or_(*[column.icontains(term, autoescape=True) for column in columns])

    condition = None
    for term in parsing.parse(text):
        if term.excluded:
            continue
        found = anywhere(term.text)
        if condition is None:
            condition = found
        else:
            condition = sa.or_(condition, found) if term.either else sa.and_(condition, found)
    for term in parsing.parse(text):
        if term.excluded:
            condition = sa.and_(condition, sa.not_(anywhere(term.text)))
    return condition


def _substring_hits(kind, text, ranked=True):
    """Matching for scripts without spaces between words: substrings, in the visible set only (no index)."""
    if kind == "outcome":
        return sa.select(Outcome.id.label("record_id"), (-Outcome.id).label("rank")).where(
            _substring_condition(OUTCOME_TEXT, text))
    own = sa.select(Story.id.label("record_id"), (-Story.id).label("rank")).where(
        _substring_condition(STORY_TEXT, text))
    translated = sa.select(StoryTranslation.story_id.label("record_id"),
                           (-StoryTranslation.story_id).label("rank")).where(
        _substring_condition(TRANSLATION_TEXT, text))
    both = sa.union_all(own, translated).subquery()
    return sa.select(both.c.record_id, sa.func.min(both.c.rank).label("rank")).group_by(both.c.record_id)


def _donor_story_hits(text, ranked=True):
    """Matches in the approved donor versions of stories (what donors read), newest story first."""
    return (
        sa.select(StoryDonorText.story_id.label("record_id"), sa.func.min(-StoryDonorText.story_id).label("rank"))
        .where(_substring_condition(DONOR_TEXT, text))
        .group_by(StoryDonorText.story_id)
    )


def hits_subquery(dialect, kind, text, ranked=True, donor=False):
    if donor and kind == "story":
        return _donor_story_hits(text, ranked).subquery(f"{kind}_hits")
    if parsing.needs_substring_match(text):
        builder = _substring_hits
    else:
        builder = _postgres_hits if dialect == "postgresql" else _sqlite_hits
    return builder(kind, text, ranked).subquery(f"{kind}_hits")


def model_for(kind):
    return Outcome if kind == "outcome" else Story


def ranked(session, kind, visible, text, donor=False):
    """``visible`` narrowed to the records matching ``text``, best first."""
    hits = hits_subquery(session.get_bind().dialect.name, kind, text, donor=donor)
    model = model_for(kind)
    return visible.join(hits, hits.c.record_id == model.id).order_by(hits.c.rank, model.id)


def count_matches(session, kind, visible, text, donor=False):
    hits = hits_subquery(session.get_bind().dialect.name, kind, text, ranked=False, donor=donor)
    statement = visible.join(hits, hits.c.record_id == model_for(kind).id).with_only_columns(model_for(kind).id)
    return session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


def page_of_matches(session, kind, visible, text, number, per_page, options, donor=False):
    """One page of ranked matches, counted without ranking (cheaper on PostgreSQL)."""
    total = count_matches(session, kind, visible, text, donor)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    number = min(number, last_page(total, per_page))
    statement = ranked(session, kind, visible, text, donor).options(*options)
    items = list(session.scalars(statement.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, total=total, number=number, per_page=per_page)


# Step 3: highlighted snippets for one page ------------------------------------------------


def _sqlite_snippets(session, kind, ids, text):
    expression = parsing.fts5_query(text)
    table = "outcome" if kind == "outcome" else "story"
    fts = _fts(table)
    snippet = sa.func.snippet(sa.literal_column(f"{table}_fts"), -1, START, STOP, "…", SNIPPET_TOKENS)
    found = dict(session.execute(
        sa.select(fts.c.rowid, snippet).where(_fts_match(table, expression), fts.c.rowid.in_(ids))).all())
    if kind == "story":
        translation_fts = _fts("story_translation")
        translated = sa.func.snippet(sa.literal_column("story_translation_fts"), -1, START, STOP, "…", SNIPPET_TOKENS)
        rows = session.execute(
            sa.select(StoryTranslation.story_id, translated)
            .select_from(translation_fts.join(StoryTranslation, StoryTranslation.id == translation_fts.c.rowid))
            .where(_fts_match("story_translation", expression), StoryTranslation.story_id.in_(ids))
        ).all()
        for story_id, snippet_text in rows:
            found.setdefault(story_id, snippet_text)
    return found


def _postgres_snippets(session, kind, ids, text):
    from tracker.db_search import document_sql

    tsquery = _tsquery(text)

    def headline(table):
        return sa.func.ts_headline(sa.literal_column(f"'{TEXT_CONFIG}'::regconfig"),
                                   sa.literal_column(document_sql(table)), tsquery, HEADLINE_OPTIONS)

    model = model_for(kind)
    table = "outcome" if kind == "outcome" else "story"
    found = dict(session.execute(
        sa.select(model.id, headline(table)).where(model.id.in_(ids), _vector(table).op("@@")(tsquery))).all())
    if kind == "story":
        rows = session.execute(
            sa.select(StoryTranslation.story_id, headline("story_translation"))
            .where(StoryTranslation.story_id.in_(ids), _vector("story_translation").op("@@")(tsquery))
            .order_by(StoryTranslation.id)
        ).all()
        for story_id, snippet_text in rows:
            found.setdefault(story_id, snippet_text)
    return found


def _substring_snippets(session, kind, ids, text):
    """Snippets cut in Python around the first matching term, for substring matches."""
    terms = parsing.terms_to_mark(text)
    columns = OUTCOME_TEXT if kind == "outcome" else STORY_TEXT
    model = model_for(kind)
    documents = {row[0]: " ".join(part or "" for part in row[1:])
                 for row in session.execute(sa.select(model.id, *columns).where(model.id.in_(ids))).all()}
    pattern = pattern_for(terms)
    if kind == "story":
        for row in session.execute(sa.select(StoryTranslation.story_id, *TRANSLATION_TEXT)
                                   .where(StoryTranslation.story_id.in_(ids)).order_by(StoryTranslation.id)).all():
            if not (pattern and pattern.search(documents.get(row[0], ""))):
                documents[row[0]] = " ".join(part or "" for part in row[1:])
    return {record_id: window(document, terms) for record_id, document in documents.items()}


def _donor_snippets(session, ids, text):
    """Snippets cut from the approved donor versions, preferring a language in which the terms occur."""
    terms = parsing.terms_to_mark(text)
    pattern = pattern_for(terms)
    documents = {}
    for row in session.execute(sa.select(StoryDonorText.story_id, *DONOR_TEXT)
                               .where(StoryDonorText.story_id.in_(ids)).order_by(StoryDonorText.id)).all():
        document = " ".join(part or "" for part in row[1:])
        if row[0] not in documents or (pattern and pattern.search(document)
                                       and not pattern.search(documents[row[0]])):
            documents[row[0]] = document
    return {record_id: window(document, terms) for record_id, document in documents.items()}


def snippets(session, kind, ids, text, donor=False):
    """``{record id: [(text, is_match)]}`` for the records ``ids`` (one page) and the query ``text``."""
    if not ids:
        return {}
    if donor and kind == "story":
        return _donor_snippets(session, ids, text)
    if parsing.needs_substring_match(text):
        return _substring_snippets(session, kind, ids, text)
    finder = _postgres_snippets if session.get_bind().dialect.name == "postgresql" else _sqlite_snippets
    return {record_id: segments(marked) for record_id, marked in finder(session, kind, ids, text).items()}


# The whole search ------------------------------------------------------------------------


def search(session, visible, text, kind, number, per_page, options=(), donor=False):
    """Search ``text`` in the records of each kind that the user may see; return one page of ``kind``.

    ``visible`` maps each kind to its visibility SELECT; ``options`` are
    loader options for the page's records (so the page costs a fixed number of queries).
    ``donor`` searches stories in their donor versions only.
    """
    kind = kind if kind in KINDS else "outcome"
    text = parsing.clean(text)
    if not parsing.is_searchable(text):
        return None
    other = "story" if kind == "outcome" else "outcome"
    page = page_of_matches(session, kind, visible[kind], text, number, per_page, options, donor)
    found = snippets(session, kind, [record.id for record in page.items], text, donor)
    counts = {kind: page.total, other: count_matches(session, other, visible[other], text, donor)}
    hits = [Hit(record, found.get(record.id, [])) for record in page.items]
    return Results(text=text, kind=kind, page=page, hits=hits, counts=counts)
