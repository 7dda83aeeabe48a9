"""The import pages: upload → mapping → dry-run preview → import, without JavaScript, post/redirect/get."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.conftest import test_config as app_config
from tests.fixtures.imports.builders import KOBO_FORM_TITLE
from tests.fixtures.imports.builders import kobo_msc_workbook
from tests.fixtures.imports.builders import odk_interviews_zip
from tests.fixtures.imports.builders import odk_outcomes_csv
from tests.test_import_files import zip_bomb
from tracker import create_app
from tracker.audit.models import AuditEntry
from tracker.common import blobs
from tracker.common.blobs import StoredFile
from tracker.db import database
from tracker.db_types import utcnow
from tracker.imports import staging
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportKind
from tracker.imports.models import ImportMapping
from tracker.imports.models import ImportUpload
from tracker.imports.services import file_sha256
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.reports.cli import stored_file_references

TOKEN = re.compile(r"/import/([A-Za-z0-9_-]+)/mapping")


@pytest.fixture
def team(factory, session):
    project = factory.project(countries=("KH", "TH"))
    cycle = factory.cycle(project)
    factory.harvest(project)
    grantee = factory.user("grantee", projects=[project])
    session.commit()
    return project, cycle, grantee


def upload(client, project, path, kind="stories", template=0):
    page = client.get(f"/projects/{project.slug}/import").get_data(as_text=True)
    with open(path, "rb") as handle:
        return client.post(f"/projects/{project.slug}/import", data={
            "csrf_token": csrf_from(page), "kind": kind, "template": str(template),
            "file": (handle, Path(path).name)}, content_type="multipart/form-data")


def token_of(response):
    return TOKEN.search(response.headers["Location"]).group(1)


def selected(html, name):
    """The value chosen in the select ``name`` of ``html``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = re.search(r'<option selected value="([^"]*)"', select)
    return chosen.group(1) if chosen else ""


def mapping_data(client, url):
    """The mapping form's current values, as a browser would post them back."""
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html)}
    for name in re.findall(r'<select[^>]*name="([^"]+)"', html):
        if name != "template":
            data[name] = selected(html, name)
    for field in re.finditer(r'<input[^>]*name="(default_[^"]+|template_name)"[^>]*>', html):
        value = re.search(r'value="([^"]*)"', field.group(0))
        data[field.group(1)] = value.group(1) if value else ""
    return data


def test_the_import_tab_shows_the_upload_form_and_the_history(client, login, team):
    project, _cycle, grantee = team
    login(grantee)

    html = client.get(f"/projects/{project.slug}/import").get_data(as_text=True)

    assert 'enctype="multipart/form-data"' in html and "Earlier imports" in html
    assert f'href="/projects/{project.slug}/import"' in html


def test_uploading_goes_to_the_mapping_page_with_suggested_columns(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)

    response = upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"))
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert "KoboToolbox export" in html and "a repeat group of" in html
    assert selected(html, "map_title") == f"{KOBO_FORM_TITLE}::story/title"
    assert selected(html, "map_translation_language") == "translations::translations/language"
    assert selected(html, "map_collected_on") == f"{KOBO_FORM_TITLE}::today"


def waiting(session):
    """The uploads waiting in the database, and the stored files (their content) there."""
    uploads = session.scalars(sa.select(ImportUpload)).all()
    return uploads, session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


@pytest.mark.both_backends
def test_the_uploaded_file_waits_in_the_database_under_a_random_token(client, login, team, tmp_path, session,
                                                                       instance_path):
    project, _cycle, grantee = team
    login(grantee)
    path = kobo_msc_workbook(tmp_path / "kobo.xlsx")

    token = token_of(upload(client, project, path))

    (row,), files = waiting(session)
    assert (row.token, row.project_id, row.user_id, row.file_name) == (token, project.id, grantee.id, "kobo.xlsx")
    assert files == 1 and blobs.content_sha256(session, row.content_key) == row.sha256 == file_sha256(path)
    assert not (instance_path / "imports").exists()


def test_a_second_host_continues_an_upload_the_first_one_received(engine, connection, client, login, team, tmp_path,
                                                                  monkeypatch):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx")))
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "other-host"))
    other_host = create_app(app_config(engine))
    database(other_host).bind_to(connection)
    other_client = other_host.test_client()
    login(grantee, target=other_client)

    response = other_client.get(f"/projects/{project.slug}/import/{token}/mapping")

    assert other_host.instance_path != client.application.instance_path
    assert response.status_code == 200 and "kobo.xlsx" in response.get_data(as_text=True)


def test_a_refused_file_is_explained_on_the_form_and_not_kept(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    fake = tmp_path / "stories.xlsx"
    fake.write_text("title,story\nA,B\n", encoding="utf-8")

    response = upload(client, project, fake)

    assert response.status_code == 200
    assert "is named .xlsx but is not an Excel workbook" in response.get_data(as_text=True)
    assert waiting(session) == ([], 0)


def test_the_whole_journey_imports_the_stories_once(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx")))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    data = mapping_data(client, mapping_url)
    data["default_form_name"] = "Story consent form"

    to_preview = client.post(mapping_url, data={**data, "action": "preview"})
    preview = client.get(to_preview.headers["Location"]).get_data(as_text=True)
    committed = client.post(f"/projects/{project.slug}/import/{token}/commit", data={"csrf_token": csrf_from(
        preview)})
    landing = client.get(committed.headers["Location"]).get_data(as_text=True)

    assert to_preview.headers["Location"].endswith(f"/import/{token}/preview")
    assert "Import all 6 records" in preview and "Needs consent" in preview
    assert committed.status_code == 302
    assert "Imported 6 stories" in landing and "1 story needs consent details" in landing
    assert session.scalar(sa.select(sa.func.count()).select_from(Story).where(Story.project_id == project.id)) == 6
    assert client.get(f"/projects/{project.slug}/import/{token}/preview").status_code == 302


def test_the_preview_lists_each_problem_with_sheet_row_and_column(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "bad.xlsx", broken=True)))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    client.post(mapping_url, data={**mapping_data(client, mapping_url), "action": "preview"})

    html = client.get(f"/projects/{project.slug}/import/{token}/preview").get_data(as_text=True)

    assert "3 problems: nothing can be imported" in html
    assert re.search(r"<td>translations</td><th scope=\"row\" class=\"numeric\">4</th><td><code>translations/language"
                     r"</code></td><td>[^<]*Klingon", html)
    assert "/commit" not in html


def test_a_missing_required_column_keeps_the_user_on_the_mapping_page(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx")))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"

    response = client.post(mapping_url, data={**mapping_data(client, mapping_url), "map_title": "",
                                              "action": "preview"})

    assert response.status_code == 200
    assert "Title: choose the column for this field." in response.get_data(as_text=True)


def test_a_mapping_saved_by_name_is_offered_for_the_next_upload(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, odk_outcomes_csv(tmp_path / "odk.csv"), kind="outcomes"))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    data = mapping_data(client, mapping_url)

    client.post(mapping_url, data={**data, "map_area": "", "template_name": "ODK harvest form v2",
                                   "action": "preview"})
    template = session.scalar(sa.select(ImportMapping).where(ImportMapping.project_id == project.id))
    second = token_of(upload(client, project, odk_outcomes_csv(tmp_path / "odk.csv"), kind="outcomes",
                             template=template.id))
    html = client.get(f"/projects/{project.slug}/import/{second}/mapping").get_data(as_text=True)

    assert template.name == "ODK harvest form v2" and "area" not in template.mapping["fields"]
    assert selected(html, "map_description") == "odk::outcome-description"
    assert selected(html, "map_area") == ""


def test_outcomes_import_from_the_web_is_audited_as_the_grantee(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, odk_outcomes_csv(tmp_path / "odk.csv"), kind="outcomes"))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    client.post(mapping_url, data={**mapping_data(client, mapping_url), "action": "preview"})
    preview = client.get(f"/projects/{project.slug}/import/{token}/preview").get_data(as_text=True)

    client.post(f"/projects/{project.slug}/import/{token}/commit", data={"csrf_token": csrf_from(preview)})

    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import"))
    assert entry.actor_email == grantee.email and entry.project_id == project.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 3


def test_cancel_deletes_the_uploaded_file(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx")))
    page = client.get(f"/projects/{project.slug}/import/{token}/mapping").get_data(as_text=True)

    response = client.post(f"/projects/{project.slug}/import/{token}/cancel", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 302
    assert waiting(session) == ([], 0)


def test_another_user_cannot_continue_someone_elses_upload(client, login, team, factory, session, tmp_path):
    project, _cycle, grantee = team
    colleague = factory.user("grantee", projects=[project])
    session.commit()
    login(grantee)
    token = token_of(upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx")))

    login(colleague)
    response = client.get(f"/projects/{project.slug}/import/{token}/preview")

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project.slug}/import")


def test_donors_and_other_projects_grantees_cannot_open_the_import_pages(client, login, team, factory, session):
    project, _cycle, _grantee = team
    donor, outsider = factory.user("donor"), factory.user("grantee", projects=[factory.project()])
    session.commit()

    for user in (donor, outsider):
        login(user)
        assert client.get(f"/projects/{project.slug}/import").status_code == 404


def test_me_staff_may_import_into_any_project(client, login, team, factory, session):
    project, _cycle, _grantee = team
    staff = factory.user("me")
    session.commit()
    login(staff)

    assert client.get(f"/projects/{project.slug}/import").status_code == 200


@pytest.mark.both_backends
def test_a_file_over_the_size_limit_is_refused_while_it_uploads(app, client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    app.config["IMPORT_MAX_BYTES"] = 2_000
    login(grantee)

    response = upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"))

    assert response.status_code == 200 and "the most an import accepts" in response.get_data(as_text=True)
    assert waiting(session) == ([], 0)


def test_a_zip_bomb_upload_is_refused_with_a_clear_message(app, client, login, team, tmp_path):
    project, _cycle, grantee = team
    app.config["IMPORT_MAX_UNCOMPRESSED"] = 5 * 1024 * 1024
    login(grantee)

    response = upload(client, project, zip_bomb(tmp_path / "bomb.xlsx", megabytes=8))

    assert response.status_code == 200 and "It may be a zip bomb" in response.get_data(as_text=True)


def test_uploads_older_than_the_limit_are_purged(team, session):
    project, _cycle, grantee = team
    old, fresh = (staging.store(session, io.BytesIO(b"title\nA\n"), file_name=f"{name}.csv", suffix=".csv",
                                project_id=project.id, user_id=grantee.id, kind="stories", max_bytes=1_000)
                  for name in ("old", "fresh"))
    session.execute(sa.update(ImportUpload).where(ImportUpload.token == old.token)
                    .values(created_at=utcnow() - timedelta(hours=2)))

    assert staging.purge_expired(session, max_age_seconds=3600) == 1
    uploads, files = waiting(session)
    assert [item.token for item in uploads] == [fresh.token] and files == 1


def test_the_import_history_page_runs_the_same_queries_for_few_or_many_imports(
        client, login, team, session, count_queries):
    project, _cycle, grantee = team
    login(grantee)
    counts = []
    for number in (2, 30):
        session.add_all([ImportBatch(project_id=project.id, kind=ImportKind.STORIES, source="kobo",
                                     file_name=f"export-{index}.xlsx", file_sha256="0" * 64,
                                     created_by_id=grantee.id) for index in range(number)])
        session.commit()
        with count_queries() as counter:
            assert client.get(f"/projects/{project.slug}/import").status_code == 200
        counts.append(counter.count)

    assert counts[0] == counts[1]


def test_choosing_the_repeat_group_sheet_suggests_the_columns_again(client, login, team, tmp_path):
    project, _cycle, grantee = team
    login(grantee)
    token = token_of(upload(client, project, odk_interviews_zip(tmp_path / "odk.zip"), kind="outcomes"))
    mapping_url = f"/projects/{project.slug}/import/{token}/mapping"
    data = mapping_data(client, mapping_url)
    assert data["record_table"] == "oh_interviews-outcomes"

    response = client.post(mapping_url, data={**data, "record_table": "oh_interviews", "action": "sheet"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert selected(html, "record_table") == "oh_interviews"
    assert selected(html, "map_description") == ""


def test_the_stored_files_cleanup_keeps_the_content_of_waiting_uploads(client, login, team, tmp_path, session):
    project, _cycle, grantee = team
    login(grantee)
    upload(client, project, kobo_msc_workbook(tmp_path / "kobo.xlsx"))

    removed = blobs.delete_unreferenced(session, stored_file_references())

    (row,), files = waiting(session)
    assert removed == 0 and files == 1 and blobs.describe(session, row.content_key) is not None
