"""Administrators read a project's stories only by breaking the glass: a reason, a time limit, an audit trail."""

import sqlalchemy as sa

from tracker.audit.models import AuditEntry


def story_url(project, story):
    return f"/projects/{project.slug}/stories/{story.id}"


def test_an_admin_without_a_grant_is_asked_for_a_reason_before_reading_a_story(client, factory, login, session):
    project = factory.project()
    story = factory.story(project, title="Sentinel-story-for-admin")
    login(factory.user("admin"))

    response = client.get(story_url(project, story))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/projects/{project.slug}/break-glass")
    assert "Sentinel-story-for-admin" not in client.get(f"/projects/{project.slug}/stories").get_data(as_text=True)


def test_with_a_grant_the_admin_reads_the_story_and_the_read_carries_the_reason(client, factory, login, session):
    project = factory.project()
    story = factory.story(project, title="A story read under break the glass")
    admin = factory.user("admin")
    factory.break_glass_grant(admin, project, reason="The safeguarding lead asked me to check this report.")
    login(admin)

    response = client.get(story_url(project, story))

    assert response.status_code == 200
    assert "A story read under break the glass" in response.get_data(as_text=True)
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.object_type == "story",
                                                        AuditEntry.actor_id == admin.id)).one()
    assert entry.reason == "The safeguarding lead asked me to check this report."


def test_a_grant_for_one_project_opens_no_other_projects_stories(client, factory, login, session):
    granted, other = factory.project(), factory.project()
    cycle = factory.cycle()
    factory.story(granted, cycle, title="Story in the granted project")
    factory.story(other, cycle, title="Sentinel-story-in-another-project")
    admin = factory.user("admin")
    factory.break_glass_grant(admin, granted)
    login(admin)

    fund_list = client.get("/msc/stories").get_data(as_text=True)

    assert "Story in the granted project" in fund_list
    assert "Sentinel-story-in-another-project" not in fund_list


def test_an_admin_cannot_edit_a_story_even_with_a_grant(client, factory, login, session):
    project = factory.project()
    story = factory.story(project)
    admin = factory.user("admin")
    factory.break_glass_grant(admin, project)
    login(admin)

    assert client.get(story_url(project, story) + "/edit").status_code == 404


def test_me_staff_read_stories_without_breaking_the_glass(client, factory, login, session):
    project = factory.project()
    story = factory.story(project)
    login(factory.user("me"))

    assert client.get(story_url(project, story)).status_code == 200
