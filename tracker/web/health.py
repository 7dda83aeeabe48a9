import sqlalchemy as sa
from flask import Blueprint

from tracker.db import get_session
from tracker.web.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def health():
    """Liveness and database check for load balancers; reveals nothing else."""
    get_session().execute(sa.text("SELECT 1"))
    return {"status": "ok"}
