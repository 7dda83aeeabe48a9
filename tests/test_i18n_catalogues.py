"""The translation catalogues: complete and up to date, and the app really speaks the reader's language.

The catalogue checks extract a fresh template from the code with babel's Python API (not the committed
``.pot``), so a string added without running ``make translations`` is caught here.
"""

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

from tests.conftest import skip_or_fail
from tests.conftest import test_config as app_config
from tests.test_outcomes import outcome_form
from tracker import create_app
from tracker.auth.passwords import MIN_LENGTH
from tracker.auth.passwords import password_problems
from tracker.common.messages import N_
from tracker.db import database
from tracker.imports.files import FileRejected
from tracker.indicators.models import IndicatorMeasure
from tracker.indicators.services import MEASURE_LABELS
from tracker.toc.services import describe_attachments
from tracker.web.forms import error_text
from tracker.web.forms import translated

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "tracker" / "translations"
LANGUAGES = ("fr", "es")
# The keywords of `make translations` (babel's defaults cover _, gettext, ngettext and N_).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2),
            "N_plural": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@cache
def fresh_template():
    """``{msgid: plural msgid or None}`` extracted from the code as it is now."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        elif message:
            found.setdefault(message, None)
    return found


def committed_template():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        catalog = read_po(handle)
    return {(message.id[0] if isinstance(message.id, tuple) else message.id):
            (message.id[1] if isinstance(message.id, tuple) else None) for message in catalog if message.id}


def catalogue(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def catalogue_problems(template, catalog):
    """What is missing or wrong in ``catalog`` for the msgids of ``template``."""
    problems = []
    for msgid, plural in template.items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
            continue
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(translations):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
            continue
        if plural is not None and len(translations) != catalog.num_plurals:
            problems.append(f"plural forms incomplete: {msgid!r}")
        expected = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural or ""))
        for translation in translations:
            if set(PLACEHOLDER.findall(translation)) - expected or (
                    plural is None and set(PLACEHOLDER.findall(translation)) != expected):
                problems.append(f"placeholders differ: {msgid!r}")
                break
    return problems


def test_the_extraction_finds_the_strings_of_templates_python_and_the_n_marker():
    template = fresh_template()

    assert "Log in" in template
    assert "Give the harvest a title." in template
    assert template["%(num)d piece of evidence"] == "%(num)d pieces of evidence"


def test_the_committed_template_is_up_to_date_with_the_code():
    fresh, committed = fresh_template(), committed_template()

    assert sorted(set(fresh) - set(committed)) == [], "run `make translations` and commit messages.pot"
    assert sorted(set(committed) - set(fresh)) == [], "run `make translations` and commit messages.pot"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_translates_every_message(language):
    assert catalogue_problems(fresh_template(), catalogue(language)) == []


def test_the_completeness_check_reports_missing_fuzzy_plural_and_placeholder_problems():
    template = {"Saved.": None, "Hello %(name)s": None, "%(num)d story": "%(num)d stories", "Gone": None,
                "Fuzzy": None}
    catalog = Catalog(locale="fr")
    catalog.add("Saved.", "Enregistré.")
    catalog.add("Hello %(name)s", "Bonjour %(nom)s")
    catalog.add(("%(num)d story", "%(num)d stories"), ("%(num)d récit", ""))
    catalog.add("Fuzzy", "Flou", flags=["fuzzy"])

    problems = catalogue_problems(template, catalog)

    assert problems == ["placeholders differ: 'Hello %(name)s'", "untranslated or fuzzy: '%(num)d story'",
                        "missing: 'Gone'", "untranslated or fuzzy: 'Fuzzy'"]


# The app in French, with a tiny catalogue compiled for the test ------------------------------------------------

PRIVATE_PERSON = 'Name an organisation or a role (e.g. "school principals in the district"), never a private person.'
PRIVATE_PERSON_FR = "Nommez une organisation ou un rôle, jamais une personne privée."
TINY_FRENCH = {
    "Log in": "Se connecter",
    "Your account": "Votre compte",
    "Evidence report": "Rapport de preuves",
    PRIVATE_PERSON: PRIVATE_PERSON_FR,
    "The file is empty.": "Le fichier est vide.",
    "Use at least %(count)d characters; a few unrelated words make a good password.":
        "Utilisez au moins %(count)d caractères ; quelques mots sans rapport font un bon mot de passe.",
    "Percentage": "Pourcentage",
    "“%(title)s” cannot be deleted: %(attached)s attached to it.":
        "« %(title)s » ne peut pas être supprimé : %(attached)s y sont rattachés.",
    # A catalogue Babel makes for French has three plural forms (CLDR: one, many, other).
    ("%(num)d indicator", "%(num)d indicators"): ("%(num)d indicateur", "%(num)d indicateurs", "%(num)d indicateurs"),
    ("%(num)d outcome", "%(num)d outcomes"): ("%(num)d changement", "%(num)d changements", "%(num)d changements"),
}


@pytest.fixture(scope="module")
def tiny_catalogue(tmp_path_factory):
    folder = tmp_path_factory.mktemp("translations")
    catalog = Catalog(locale="fr")
    for msgid, msgstr in TINY_FRENCH.items():
        catalog.add(msgid, msgstr)
    (folder / "fr" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "fr" / "LC_MESSAGES" / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return folder


@pytest.fixture
def app(engine, connection, instance_path, tiny_catalogue):
    app = create_app(app_config(engine, BABEL_TRANSLATION_DIRECTORIES=str(tiny_catalogue)))
    database(app).bind_to(connection)
    return app


def test_a_user_who_chose_french_reads_the_pages_in_french(client, factory, login, session):
    user = factory.user(role="me")
    user.language = "fr"
    session.commit()
    login(user)

    page = client.get("/account").get_data(as_text=True)

    assert "Votre compte" in page and '<html lang="fr"' in page


def test_the_browser_language_is_used_for_anonymous_visitors(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(as_text=True)

    assert "Se connecter" in page


def test_the_login_page_offers_a_language_switcher_that_is_remembered(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/login?lang=fr"' in page and 'hreflang="fr"' in page

    switched = client.get("/login?lang=fr", headers={"Accept-Language": "en"})
    later = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "Se connecter" in switched.get_data(as_text=True)
    assert "language=fr" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
    assert "Se connecter" in later


def test_an_unknown_language_in_the_link_is_ignored(client):
    response = client.get("/login?lang=xx", headers={"Accept-Language": "en"})

    assert "Log in" in response.get_data(as_text=True)
    assert "language=" not in response.headers.get("Set-Cookie", "")


def test_a_message_from_a_module_without_flask_is_shown_in_the_readers_language(app):
    problem = password_problems("short")[0]

    with app.test_request_context(), force_locale("fr"):
        french = str(translated(problem))

    assert problem.startswith("Use at least ")
    assert french.startswith("Utilisez au moins ") and str(MIN_LENGTH) in french


def test_a_label_from_a_module_without_flask_is_shown_in_the_readers_language_each_time(app):
    label = MEASURE_LABELS[IndicatorMeasure.PERCENTAGE]

    with app.test_request_context():
        with force_locale("fr"):
            french = render_template_string("{{ label }}", label=label)
        english = render_template_string("{{ label }}", label=label)

    assert (french, english) == ("Pourcentage", "Percentage")


def test_counts_inside_a_message_are_translated_with_their_plural_forms(app):
    message = N_("“%(title)s” cannot be deleted: %(attached)s attached to it.", title="Helpline",
                 attached=describe_attachments({"indicator": 2, "outcome": 1}))

    with app.test_request_context(), force_locale("fr"):
        french = str(translated(message))

    assert message == "“Helpline” cannot be deleted: 2 indicators, 1 outcome attached to it."
    assert french == "« Helpline » ne peut pas être supprimé : 2 indicateurs, 1 changement y sont rattachés."


def test_an_import_file_rejection_is_told_in_the_readers_language(app):
    with app.test_request_context(), force_locale("fr"):
        said = error_text(FileRejected(N_("The file is empty.")))

    assert said == "Le fichier est vide."


def test_a_service_error_on_a_form_is_shown_in_the_readers_language(submit, factory, login, session):
    project = factory.project(countries=["VN"])
    harvest = factory.harvest(project)
    user = factory.user("grantee", projects=[project])
    user.language = "fr"
    session.commit()
    login(user)

    response = submit(f"/projects/{project.slug}/outcomes/new", outcome_form(harvest, social_actor="Mr Tran Van Nam"))

    assert response.status_code == 200
    assert PRIVATE_PERSON_FR in response.get_data(as_text=True)


def test_dates_and_numbers_follow_the_language(app):
    source = "{{ day|date }} · {{ figure|number }} · {{ amount|money('EUR') }}"
    values = {"day": date(2026, 11, 23), "figure": Decimal("1234.5"), "amount": 250000}

    with app.test_request_context():
        with force_locale("fr"):
            french = render_template_string(source, **values)
        with force_locale("es"):
            spanish = render_template_string(source, **values)
        english = render_template_string(source, **values)

    assert french.replace("\u202f", " ").replace("\xa0", " ") == "23 nov. 2026 · 1 234,5 · EUR 250 000"
    assert spanish == "23 nov 2026 · 1.234,5 · EUR 250.000"
    assert english == "Nov 23, 2026 · 1,234.5 · EUR 250,000"


def pdf_text(path):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_report_command_writes_the_pdf_in_the_requested_language(app, factory, session, tmp_path):
    project = factory.project()
    session.commit()
    french, english = tmp_path / "fr.pdf", tmp_path / "en.pdf"

    runner = app.test_cli_runner()
    in_french = runner.invoke(args=["report", project.slug, "--audience", "donor", "--language", "fr",
                                    "-o", str(french)])
    in_english = runner.invoke(args=["report", project.slug, "--audience", "donor", "-o", str(english)])

    assert in_french.exit_code == 0 and in_english.exit_code == 0, in_french.output + in_english.output
    assert "Rapport de preuves" in pdf_text(french) and "Rapport de preuves" not in pdf_text(english)
    assert "Evidence report" in pdf_text(english)


def test_the_report_preview_uses_the_language_chosen_on_the_form(client, factory, login, session):
    project = factory.project()
    user = factory.user(role="me")
    session.commit()
    login(user)

    french = client.get(f"/projects/{project.slug}/reports/preview?audience=internal&language=fr")
    default = client.get(f"/projects/{project.slug}/reports/preview?audience=internal")

    assert french.status_code == 200 and "Rapport de preuves" in french.get_data(as_text=True)
    assert "Evidence report" in default.get_data(as_text=True)


def test_the_report_form_offers_the_languages_with_the_readers_own_preselected(client, factory, login, session):
    project = factory.project()
    user = factory.user(role="me")
    user.language = "fr"
    session.commit()
    login(user)

    page = client.get(f"/projects/{project.slug}/reports").get_data(as_text=True)

    assert re.search(r'<option selected value="fr">Français</option>|<option value="fr" selected>', page)
    assert '<option value="es">Español</option>' in page


def test_without_compiled_catalogues_the_app_falls_back_to_english(engine, connection, instance_path, tmp_path):
    bare = create_app(app_config(engine, BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "no-catalogues")))
    database(bare).bind_to(connection)
    client = bare.test_client()

    page = client.get("/login?lang=fr").get_data(as_text=True)

    assert "Log in" in page and '<html lang="fr"' in page
