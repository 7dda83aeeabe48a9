"""Break the glass: time-limited, reasoned and audited access to a project's sensitive records.

An administrator's usual scope is accounts and settings, not the stories and
outcomes of projects. To open such a record anyway (a safeguarding concern, a
data-subject request, a suspected breach) they state a reason and get access to
that one project for a few hours (``BREAK_GLASS_HOURS``, default 3), as in
DHIS2. The grant, each record read under it (with the grant's reason) and any
early revocation are audited; admins see every grant on the register page.

How an area uses it, e.g. the stories views::

    RULES["story.read"] = rule((Role.ME,), member=(Role.GRANTEE,), break_glass=(Role.ADMIN,))

    @bp.get("/projects/<slug>/stories/<int:story_id>")
    @sensitive_project_route("story.read")
    def story_detail(project, story_id):
        story = get_story(session, project, story_id) or abort(404)
        record_sensitive_read(session, "story", story.id, project)
        session.commit()
        ...

Without an active grant an admin's GET is redirected to the reason form and comes
back to the record afterwards; every other role without the permission gets 404.
"""
