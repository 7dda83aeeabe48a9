"""The export pages: a project's tab for its team, M&E staff and donors; the portfolio export; who may have what."""

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import csrf_from
from tracker.audit.models import AuditEntry


def post_export(client, url, **data):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "file_format": "xlsx",
                                  "sheets": ["outcomes", "stories"], **data})


def test_the_project_team_downloads_an_internal_workbook(client, login, factory, session):
    project = factory.project()
    factory.outcome(project, sources="Referral log")
    grantee = factory.user("grantee", projects=[project])
    session.commit()
    login(grantee)

    response = post_export(client, f"/projects/{project.slug}/export", audience="internal")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{project.slug}-internal-')
    assert response.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Outcomes", "Stories"]
    assert "Referral log" in [cell for row in workbook["Outcomes"].values for cell in row]


def test_the_export_tab_offers_donors_only_the_donor_version(client, login, factory, session):
    project = factory.project()
    donor = factory.user("donor")
    session.commit()
    login(donor)

    html = client.get(f"/projects/{project.slug}/export").get_data(as_text=True)
    refused = post_export(client, f"/projects/{project.slug}/export", audience="internal")

    assert 'value="donor"' in html and 'value="internal"' not in html
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)


def test_a_form_without_records_chosen_is_shown_again_with_the_users_choices(client, login, factory, session):
    project = factory.project()
    staff = factory.user("me")
    session.commit()
    login(staff)

    response = post_export(client, f"/projects/{project.slug}/export", audience="internal", sheets=[],
                           file_format="csv")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose at least one kind of record." in html
    assert 'checked id="file_format-1"' in html


def test_an_admin_must_break_the_glass_to_export_a_projects_records(client, login, factory, session):
    project = factory.project()
    admin = factory.user("admin")
    session.commit()
    login(admin)

    response = client.get(f"/projects/{project.slug}/export")

    assert response.status_code == 302 and "/break-glass" in response.headers["Location"]


def test_an_admin_with_a_grant_exports_and_the_reason_is_audited(client, login, factory, session):
    project = factory.project()
    admin = factory.user("admin")
    factory.break_glass_grant(admin, project, reason="Data-subject request from a storyteller's guardian.")
    session.commit()
    login(admin)

    response = post_export(client, f"/projects/{project.slug}/export", audience="internal")

    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert response.status_code == 200
    assert entry.reason == "Data-subject request from a storyteller's guardian."


def test_me_staff_and_donors_export_the_whole_portfolio(client, login, factory, session):
    first, second = factory.project(), factory.project()
    factory.outcome(first, status="substantiated", description="First project's substantiated outcome.")
    factory.outcome(second, status="substantiated", description="Second project's substantiated outcome.")
    staff, donor = factory.user("me"), factory.user("donor")
    session.commit()

    for user in (staff, donor):
        login(user)
        response = post_export(client, "/export", audience="donor")
        cells = [cell for row in load_workbook(io.BytesIO(response.data))["Outcomes"].values for cell in row]
        assert {"First project's substantiated outcome.", "Second project's substantiated outcome."} <= set(cells)


def test_grantees_and_admins_have_no_portfolio_export(client, login, factory, session):
    grantee, admin = factory.user("grantee", projects=[factory.project()]), factory.user("admin")
    session.commit()

    for user in (grantee, admin):
        login(user)
        assert client.get("/export").status_code == 404


def test_the_export_tab_is_shown_to_those_who_may_export(client, login, factory, session):
    project = factory.project()
    grantee = factory.user("grantee", projects=[project])
    session.commit()
    login(grantee)

    html = client.get(f"/projects/{project.slug}").get_data(as_text=True)

    assert f'href="/projects/{project.slug}/export"' in html and f'href="/projects/{project.slug}/import"' in html


def test_the_portfolio_page_links_to_the_export_for_those_who_may_use_it(client, login, factory, session):
    factory.project()
    donor, grantee = factory.user("donor"), factory.user("grantee")
    session.commit()

    login(donor)
    assert 'href="/export"' in client.get("/portfolio").get_data(as_text=True)
    login(grantee)
    assert 'href="/export"' not in client.get("/portfolio").get_data(as_text=True)
