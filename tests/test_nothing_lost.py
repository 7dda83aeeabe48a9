"""Nothing is lost or saved twice: double posts, database failures mid-save, and sending a form again."""

import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import csrf_from
from tracker.portfolio.models import Project
from tracker.web.submissions import SubmissionReceipt

SUMMARY = "Peer leaders in child clubs help children disclose abuse; the network refers them."


def project_form(factory, **overrides):
    return {"title": "Community networks in Da Nang", "slug": "da-nang-networks",
            "organisation_id": str(factory.organisation().id), "pillar_id": str(factory.pillar().id),
            "countries": ["VN"], "start_date": "2022-01-01", "end_date": "2024-12-31", "budget": "800000",
            "currency": "USD", "iati_identifier": "", "summary": SUMMARY, **overrides}


def submission_of(html):
    return next(part.split('value="')[1].split('"')[0] for part in html.split("<input")
                if 'name="submission_id"' in part)


def projects(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_a_double_click_creates_one_project(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    form = {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}

    first = client.post("/projects/new", data=form)
    second = client.post("/projects/new", data=form)

    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"] == "/projects/da-nang-networks"
    assert projects(session) == 1


def test_a_form_shown_again_with_errors_can_be_sent_again_with_the_same_id(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    submission = submission_of(page)

    refused = client.post("/projects/new", data={**data, "title": "", "csrf_token": csrf_from(page),
                                                  "submission_id": submission})
    accepted = client.post("/projects/new", data={**data, "csrf_token": csrf_from(page), "submission_id": submission})

    assert submission_of(refused.get_data(as_text=True)) == submission
    assert accepted.status_code == 302 and projects(session) == 1


def test_when_the_database_fails_mid_save_nothing_is_half_written_and_the_text_comes_back(
        client, factory, login, session, monkeypatch):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    form = {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}
    original_commit, calls = Session.commit, []

    def failing_commit(self):
        calls.append(1)
        if len(calls) == 2:  # the first commit claims the submission; the second is the view's
            raise sa.exc.OperationalError("COMMIT", {}, Exception("database is locked"))
        return original_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = client.post("/projects/new", data=form)
    html = response.get_data(as_text=True)
    monkeypatch.setattr(Session, "commit", original_commit)

    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert SUMMARY in html and "Send it again" in html
    assert projects(session) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(SubmissionReceipt)) == 0
    again = client.post("/projects/new", data={**dict(_resent_fields(html)), "countries": ["VN"]})
    assert again.status_code == 302 and projects(session) == 1


def _resent_fields(html):
    form = html.split('<form method="post" action="/projects/new">')[1].split("</form>")[0]
    for part in form.split("<input")[1:]:
        name = part.split('name="')[1].split('"')[0]
        value = part.split('value="')[1].split('"')[0] if 'value="' in part else ""
        if name != "countries":
            yield name, value.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


def test_passwords_are_never_echoed_back(client, factory, login, session, monkeypatch):
    from werkzeug.datastructures import MultiDict

    from tracker.web.errors import resubmittable_fields

    sent = MultiDict([("email", "new@example.org"), ("password", "a secret passphrase"), ("csrf_token", "x"),
                      ("pw-new_password", "other secret"), ("display_name", "Regional advisor")])

    assert resubmittable_fields(sent) == [("email", "new@example.org"), ("display_name", "Regional advisor")]
