"""Every piece of text a user reads in a template goes through gettext."""

import re
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Attributes whose values people read or hear (screen readers).
READ_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|aria-description|placeholder|summary)="([^"§]*)"')
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
LETTERS = re.compile(r"[^\W\d_]{2,}")


def skeleton(source):
    """The template's literal markup, with every Jinja tag, expression and comment replaced by ``§``."""
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    parts, in_jinja = [], False
    for _line, token, value in environment.lex(source):
        if token == "data":
            parts.append(value)
            in_jinja = False
        elif not in_jinja:
            parts.append("§")
            in_jinja = True
    return "".join(parts)


def literal_text(source):
    """Yield the user-visible literal text of a template, outside any Jinja expression."""
    markup = re.sub(r"<(script|style)[\s\S]*?</\1>", " ", skeleton(source))
    yield from READ_ATTRIBUTES.findall(markup)
    yield ENTITY.sub(" ", TAG.sub(" ", markup))


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_untranslatable_text(path):
    untranslated = [text.strip() for text in literal_text(path.read_text(encoding="utf-8"))
                    if LETTERS.search(text)]

    assert untranslated == []


def test_the_check_catches_literal_text_and_readable_attributes():
    source = '<h1>{{ _("Outcomes") }}</h1><p class="x">Saved {{ n }} stories</p><img alt="A child club" src="{{ u }}">'

    found = [text.strip() for text in literal_text(source) if LETTERS.search(text)]

    assert "A child club" in found
    assert any("Saved" in text and "stories" in text for text in found)
    assert not any("Outcomes" in text for text in found)
