"""The claim a contribution page is about, shared by the claim, tracing and evidence-map pages."""

from flask import abort

from tracker.contribution import services
from tracker.db import get_session


def claim_or_404(project, claim_id):
    return services.get_claim(get_session(), project, claim_id) or abort(404)
