"""Evidence items: every kind, attachments to links and assumptions, uploads and downloads, who may do what."""

import html
import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests import documents
from tests import stored_files
from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.common import blobs
from tracker.common.errors import ValidationFailed
from tracker.evidence import services
from tracker.evidence import uploads
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import EvidenceItem
from tracker.evidence.sharing import donor_visible_evidence_ids
from tracker.indicators import services as indicator_services

PDF = documents.pdf()
STORED_PDF = uploads.check_upload("review.pdf", PDF).data


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


def count(session, model):
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def approved_period(factory, session, project, node=None):
    indicator = factory.indicator(project, node, title="Contacts answered on text channels")
    period = factory.period(indicator)
    indicator_services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "8420"}, submit=True)
    indicator_services.review_actual(session, TEST_ACTOR, project, period, approve=True)
    return period


# Kinds ----------------------------------------------------------------------------------------------


def test_an_outcome_record_takes_its_title_from_the_outcome(factory, session, project):
    outcome = factory.outcome(project)

    item = services.create_item(session, TEST_ACTOR, project, "outcome", {"outcome_id": outcome.id})

    assert item.outcome_id == outcome.id and item.title.startswith("In March 2023 the provincial social-work")


def test_an_indicator_result_names_the_period_and_its_approved_value(factory, session, project):
    period = approved_period(factory, session, project)

    item = services.create_item(session, TEST_ACTOR, project, "indicator_result", {"period_id": period.id})

    assert item.title == "Contacts answered on text channels, 2022-01-01 – 2022-12-31: 8420 contacts (approved)"


def test_a_period_without_a_reportable_actual_cannot_be_evidence(factory, session, project):
    period = factory.period(factory.indicator(project))

    with pytest.raises(ValidationFailed) as error:
        services.create_item(session, TEST_ACTOR, project, "indicator_result", {"period_id": period.id})

    assert error.value.reasons[0][0] == "period_id"


def test_a_story_serves_as_evidence_only_with_consent_to_internal_use(factory, session, project):
    usable = factory.story(project, safeguarding="approved")
    internal_refused = factory.story(project, consent={"scope_internal": False})
    restricted = factory.story(project, safeguarding="restricted")

    services.create_item(session, TEST_ACTOR, project, "story", {"story_id": usable.id})
    for story in (internal_refused, restricted):
        with pytest.raises(ValidationFailed):
            services.create_item(session, TEST_ACTOR, project, "story", {"story_id": story.id})


def test_records_of_another_project_cannot_be_evidence(factory, session, project):
    other = factory.outcome(factory.project())

    with pytest.raises(ValidationFailed):
        services.create_item(session, TEST_ACTOR, project, "outcome", {"outcome_id": other.id})


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://example.org/file", "example.org",
                                     "https://exa mple.org", "data:text/html,hi"])
def test_a_web_link_must_be_http_or_https(factory, session, project, address):
    with pytest.raises(ValidationFailed) as error:
        services.create_item(session, TEST_ACTOR, project, "web_link", {"title": "Report", "url": address})

    assert error.value.reasons[0][0] == "url"


def test_an_interview_note_needs_its_text(factory, session, project):
    with pytest.raises(ValidationFailed) as error:
        services.create_item(session, TEST_ACTOR, project, "interview", {"title": "Interview"})

    assert error.value.reasons[0][0] == "summary"


# Attachments ----------------------------------------------------------------------------------------


def test_one_item_supports_several_links_and_an_assumption_each_with_a_strength(factory, session, project):
    cause, middle, effect = factory.toc_chain(project, "activity", "output", "short_term_outcome")
    first = factory.toc_link_between(project, cause, middle)
    second = factory.toc_link(project, middle, factory.toc_node(project, "short_term_outcome"),
                              assumptions=["Children trust chat"])
    item = factory.evidence(project)

    for target, strength in ((f"link-{first.id}", "strong"), (f"link-{second.id}", "weak"),
                             (f"assumption-{second.assumptions[0].id}", "moderate")):
        services.attach(session, TEST_ACTOR, project, item, {"target": target, "strength": strength,
                                                             "note": "Shift reports"})

    assert [(row.link_id, row.assumption_id, row.strength.value) for row in item.attachments] == [
        (first.id, None, "strong"), (second.id, None, "weak"), (None, second.assumptions[0].id, "moderate")]


def test_attaching_twice_to_the_same_link_is_refused(factory, session, project):
    links = factory.claim_with_chain(project)[1]
    item = factory.evidence(project, supports=[links[0]])

    with pytest.raises(ValidationFailed, match="already attached"):
        services.attach(session, TEST_ACTOR, project, item, {"target": f"link-{links[0].id}", "strength": "weak"})


@pytest.mark.parametrize("target", ["", "link-abc", "node-1", "link-999999"])
def test_attaching_to_something_that_is_not_a_link_of_the_project_is_refused(factory, session, project, target):
    item = factory.evidence(project)

    with pytest.raises(ValidationFailed) as error:
        services.attach(session, TEST_ACTOR, project, item, {"target": target, "strength": "weak"})

    assert error.value.reasons[0][0] == "target"


def test_staff_record_a_note_and_attach_it_in_one_go(client, factory, session, submit, project, me):
    links = factory.claim_with_chain(project)[1]
    session.commit()

    response = submit(url(project, f"/new?kind=observation&target=link-{links[1].id}"), {
        "title": "Night shift observed", "summary": "Two disclosures answered within minutes.",
        "source": "M&E officer", "collected_on": "2023-11-09", "target": f"link-{links[1].id}",
        "strength": "moderate", "note": "One night only."})

    item = session.scalar(sa.select(EvidenceItem))
    assert response.status_code == 302
    assert item.kind.value == "observation" and item.collected_on == date(2023, 11, 9)
    assert [(row.link_id, row.strength.value) for row in item.attachments] == [(links[1].id, "moderate")]


def test_the_claim_page_shows_the_evidence_on_each_link(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project)
    factory.evidence(project, title="Supervisor interview", supports=[links[0]], strength="strong")
    session.commit()

    text = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}"))
    link_one = text.split("Link 1:")[1].split("Link 2:")[0]

    assert "Supervisor interview" in link_one and "Strong" in link_one
    assert "2 links on this pathway have no evidence yet." in text


# Uploads and downloads --------------------------------------------------------------------------------


def upload(submit, project, filename, data, **values):
    return submit(url(project, "/new?kind=document"), {"title": "", "summary": "", "source": "", "collected_on": "",
                                                       "file": (io.BytesIO(data), filename), **values},
                  content_type="multipart/form-data")


@pytest.mark.both_backends
def test_an_upload_is_stored_in_the_database_under_a_random_key(client, app, factory, session, submit, project, me,
                                                               instance_path):
    response = upload(submit, project, "Referral review 2023.pdf", PDF)

    item = session.scalar(sa.select(EvidenceItem))
    assert response.status_code == 302
    assert item.file_name == "Referral review 2023.pdf" and item.title == "Referral review 2023.pdf"
    assert stored_files.content(session, item.stored_name) == STORED_PDF and item.stored_name not in item.file_name
    assert item.content_type == "application/pdf" and len(item.sha256) == 64
    assert blobs.describe(session, item.stored_name).sha256 == item.sha256
    assert not (instance_path / "uploads").exists()


def test_a_refused_upload_explains_why_and_keeps_the_other_fields(client, factory, session, submit, project, me,
                                                                  instance_path):
    response = upload(submit, project, "photo.png", PDF, title="Photo of the referral board")
    text = text_of(response)

    assert response.status_code == 200
    assert "The file's content is not PNG, although its name says so." in text
    assert 'value="Photo of the referral board"' in text
    assert count(session, EvidenceItem) == 0
    assert stored_files.count(session) == (0, 0)


def test_an_upload_over_the_limit_is_refused(client, app, factory, session, submit, project, me):
    app.config["EVIDENCE_UPLOAD_MAX_BYTES"] = 1024

    response = upload(submit, project, "big.pdf", PDF + b"0" * 2048)

    assert "The file is larger than" in text_of(response)
    assert count(session, EvidenceItem) == 0


def test_a_download_is_an_audited_attachment_that_browsers_will_not_sniff(client, factory, session, submit, project,
                                                                          me):
    upload(submit, project, "review.pdf", PDF)
    item = session.scalar(sa.select(EvidenceItem))

    with client.get(url(project, f"/{item.id}/download")) as response:
        assert response.status_code == 200 and response.data == STORED_PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "review.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "download")).object_id == str(item.id)


def large_text(size):
    """A plain-text document of ``size`` bytes (text passes the upload checks unchanged)."""
    line = b"Referral desk log: session held, follow-up booked.\n"
    return (line * (size // len(line) + 1))[:size]


def stored_document(session, project, filename, data):
    """Upload through the service: the test client spools a large form to a file it never closes."""
    item = services.create_item(session, TEST_ACTOR, project, "document", {"title": ""}, upload=(filename, data))
    session.commit()
    return item


@pytest.mark.both_backends
def test_a_large_document_is_stored_in_chunks_and_downloaded_whole(client, app, factory, session, submit, project,
                                                                   me):
    data = large_text(3 * blobs.CHUNK_BYTES + 123)
    item = stored_document(session, project, "log.txt", data)

    response = client.get(url(project, f"/{item.id}/download"))

    assert stored_files.count(session) == (1, 4)
    assert response.data == data and response.content_length == len(data)


def test_a_download_reads_the_file_one_chunk_at_a_time_as_the_client_reads(client, factory, session, submit,
                                                                           project, me, monkeypatch):
    item = stored_document(session, project, "log.txt", large_text(3 * blobs.CHUNK_BYTES))
    reads = []
    read_chunk = blobs.read_chunk
    monkeypatch.setattr(blobs, "read_chunk", lambda *args: reads.append(args[2]) or read_chunk(*args))

    response = client.get(url(project, f"/{item.id}/download"), buffered=False)
    body = iter(response.response)
    first = next(body)

    assert len(first) == blobs.CHUNK_BYTES and reads == [0]
    assert len(b"".join(body)) == 2 * blobs.CHUNK_BYTES and reads == [0, 1, 2]
    response.close()


def test_a_download_names_a_file_with_accents_for_every_browser(client, factory, session, submit, project, me):
    upload(submit, project, "Revue d'orientation été.txt", b"Notes")
    item = session.scalar(sa.select(EvidenceItem))

    disposition = client.get(url(project, f"/{item.id}/download")).headers["Content-Disposition"]

    assert "filename*=UTF-8''Revue%20d_orientation%20%C3%A9t%C3%A9.txt" in disposition
    assert 'filename="Revue d_orientation ete.txt"' in disposition


def test_deleting_an_item_deletes_its_file_with_it(client, factory, session, submit, project, me):
    upload(submit, project, "review.pdf", PDF)
    item = session.scalar(sa.select(EvidenceItem))

    submit(url(project, f"/{item.id}/delete"), {})

    assert stored_files.count(session) == (0, 0) and count(session, EvidenceItem) == 0


# Who may do what ---------------------------------------------------------------------------------------


def test_a_member_grantee_reads_claims_and_adds_evidence_but_cannot_build_claims(client, factory, session, submit,
                                                                                 login, project):
    claim, links = factory.claim_with_chain(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    assert client.get(f"/projects/{project.slug}/claims/{claim.id}").status_code == 200
    assert client.get(f"/projects/{project.slug}/evidence-map").status_code == 200
    assert client.get(f"/projects/{project.slug}/claims/{claim.id}/edit").status_code == 404
    assert client.get(f"/projects/{project.slug}/claims/{claim.id}/step").status_code == 404
    response = submit(url(project, "/new?kind=interview"), {"title": "Interview with a counsellor",
                                                            "summary": "Chats come at night.", "source": "Counsellor"})
    assert response.status_code == 302 and count(session, EvidenceItem) == 1


@pytest.mark.parametrize("address", ["/claims", "/claims/{claim}", "/claims/{claim}/tracing", "/claims/{claim}/story",
                                     "/evidence-map", "/evidence", "/evidence/{item}", "/evidence/{item}/download"])
def test_donors_see_no_claim_or_evidence_page(client, factory, session, login, project, address):
    claim, links = factory.claim_with_chain(project)
    item = factory.evidence(project)
    login(factory.user("donor"))
    session.commit()

    response = client.get(f"/projects/{project.slug}" + address.format(claim=claim.id, item=item.id))

    assert response.status_code == 404


def test_objects_of_another_project_answer_404(client, factory, session, project, me):
    other = factory.project()
    claim, _links = factory.claim_with_chain(other)
    item = factory.evidence(other)
    session.commit()

    assert client.get(f"/projects/{project.slug}/claims/{claim.id}").status_code == 404
    assert client.get(url(project, f"/{item.id}")).status_code == 404


def test_the_project_tabs_include_contribution_and_the_evidence_map_in_order(client, factory, session, project, me):
    text = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    tabs = text.split('class="project-tabs"')[1].split("</nav>")[0]

    assert tabs.index("Stories") < tabs.index("Contribution") < tabs.index("Evidence map")


# The donor rule for evidence -----------------------------------------------------------------------------


def test_donor_facing_evidence_follows_the_donor_rules_and_leaves_out_internal_material(factory, session, project):
    shared = factory.story(project, safeguarding="approved")
    pending = factory.story(project)
    substantiated = factory.outcome(project, status="substantiated")
    draft = factory.outcome(project)
    period = approved_period(factory, session, project)
    items = {name: services.create_item(session, TEST_ACTOR, project, kind, values) for name, kind, values in [
        ("shared", "story", {"story_id": shared.id}), ("pending", "story", {"story_id": pending.id}),
        ("substantiated", "outcome", {"outcome_id": substantiated.id}), ("draft", "outcome", {"outcome_id": draft.id}),
        ("result", "indicator_result", {"period_id": period.id})]}
    items["note"] = factory.evidence(project)

    visible = set(session.scalars(donor_visible_evidence_ids(project.fund_id)))

    assert visible == {items["shared"].id, items["substantiated"].id, items["result"].id}


def test_withdrawn_consent_removes_story_evidence_from_donors(factory, session, project):
    from tracker.msc import services as story_services

    story = factory.story(project, safeguarding="approved")
    item = services.create_item(session, TEST_ACTOR, project, "story", {"story_id": story.id})
    story_services.withdraw_consent(session, TEST_ACTOR, story, date(2024, 1, 5), "Asked by the guardian",
                                    story.consent.version, today=date(2024, 1, 6))

    assert item.id not in set(session.scalars(donor_visible_evidence_ids(project.fund_id)))


def test_detaching_removes_only_that_attachment(client, factory, session, submit, project, me):
    links = factory.claim_with_chain(project)[1]
    item = factory.evidence(project, supports=links[:2])
    session.commit()
    attachment = item.attachments[0]

    submit(url(project, f"/attachments/{attachment.id}/delete"), {}, page=url(project, f"/{item.id}"))

    assert session.scalars(sa.select(EvidenceAttachment.link_id)).all() == [links[1].id]


def test_reading_an_item_is_audited(client, factory, session, project, me):
    item = factory.evidence(project)
    session.commit()

    client.get(url(project, f"/{item.id}"))

    assert session.scalar(sa.select(AuditEntry.object_id).where(AuditEntry.action == "read",
                                                                AuditEntry.object_type == "evidence_item")) == \
        str(item.id)


def test_a_stale_evidence_edit_answers_409_and_keeps_the_users_text(client, factory, session, project, me):
    from tests.conftest import csrf_from

    item = factory.evidence(project, title="Interview with a supervisor")
    session.commit()
    form_page = client.get(url(project, f"/{item.id}/edit")).get_data(as_text=True)
    item.title = "Interview with a shift supervisor (corrected by a colleague)"
    session.commit()

    response = client.post(url(project, f"/{item.id}/edit"), data={
        "csrf_token": csrf_from(form_page), "version": "1", "title": "My title", "summary": "My note.",
        "source": "Supervisor", "collected_on": ""})
    text = text_of(response)

    assert response.status_code == 409
    assert "corrected by a colleague" in text and 'value="My title"' in text
