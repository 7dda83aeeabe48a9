"""The API blueprint and its operation registry, shared by every resource module."""

from flask import Blueprint

from tracker.api.auth import authenticate
from tracker.api.registry import Api

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
api = Api(bp)
