"""One date style per language, and every time shown with its time zone (issue 17, layout and wording)."""

import html
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from flask import render_template_string
from flask_babel import force_locale

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SOURCE = "{{ day|date }} | {{ moment|datetime }}"
VALUES = {"day": date(2026, 12, 6), "moment": datetime(2026, 12, 6, 14, 5, tzinfo=UTC)}


def shown(app, language=None):
    with app.test_request_context(), force_locale(language):
        return render_template_string(SOURCE, **VALUES).replace("\u202f", " ").replace("\xa0", " ")


def test_english_dates_read_in_the_medium_style_and_times_carry_their_zone(app):
    assert shown(app, "en") == "Dec 6, 2026 | Dec 6, 2026, 2:05 PM UTC"


def test_french_dates_read_in_the_medium_style_and_times_carry_their_zone(app):
    assert shown(app, "fr") == "6 déc. 2026 | 6 déc. 2026, 14:05 TU"


def test_times_are_shown_in_the_configured_time_zone_and_say_which(app):
    app.extensions["babel"].default_timezone = "Asia/Bangkok"

    assert shown(app, "en") == "Dec 6, 2026 | Dec 6, 2026, 9:05 PM +0700"


def test_no_template_picks_its_own_date_pattern():
    patterned = [f"{path.relative_to(TEMPLATES)}: {match}" for path in TEMPLATES.rglob("*.html")
                 for match in re.findall(r"\|(?:date|datetime)\([^)]*\)", path.read_text(encoding="utf-8"))]

    assert patterned == []


@pytest.mark.parametrize(("language", "expected"), [("en", "Active until Dec 7, 2026, 9:53 AM UTC"),
                                                    ("fr", "Actif jusqu’à 7 déc. 2026, 09:53 TU")])
def test_a_break_glass_expiry_shows_its_time_zone(client, factory, login, session, language, expected):
    admin = factory.user("admin")
    project = factory.project("thailand-helpline")
    with time_machine.travel(datetime(2026, 12, 7, 6, 53, tzinfo=UTC), tick=False):
        factory.break_glass_grant(admin, project, "Safeguarding lead reported that a story may identify a child.")
        session.commit()
        login(admin)
        page = client.get("/admin/break-glass", headers={"Accept-Language": language}).get_data(as_text=True)

    assert expected in html.unescape(page).replace("\u202f", " ").replace("\xa0", " ").replace("'", "’")
