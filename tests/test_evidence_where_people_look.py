"""Evidence where people look for it: a project tab, "Attach evidence" on the records it stands for, readable sizes."""

import html
import io

import pytest
import sqlalchemy as sa

from tracker.evidence.models import EvidenceItem

NOTE = b"Referral board photographed: 3 open, 1 closed case.\n"


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def me(factory, login, session):
    user = factory.user("me")
    session.commit()
    login(user)
    return user


def url(project, path=""):
    return f"/projects/{project.slug}/evidence{path}"


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def upload(submit, project, filename, data):
    return submit(url(project, "/new?kind=document"), {"title": "", "summary": "", "source": "", "collected_on": "",
                                                       "file": (io.BytesIO(data), filename)},
                  content_type="multipart/form-data")


# Sizes --------------------------------------------------------------------------------------------------------


def test_a_52_byte_note_shows_as_52_b_not_0_kb(client, session, submit, project, me):
    upload(submit, project, "board.txt", NOTE)
    item = session.scalar(sa.select(EvidenceItem))

    text = text_of(client.get(url(project, f"/{item.id}")))

    assert "(52 B; downloads are recorded in the audit log)" in text
    assert "0 kB" not in text


def test_the_upload_form_states_the_limit_in_megabytes(client, app, project, me):
    app.config["EVIDENCE_UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024

    assert "up to 10 MB" in text_of(client.get(url(project, "/new?kind=document")))
