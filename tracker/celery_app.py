"""The Celery app of the Evidence Tracker, for ``celery -A tracker.celery_app worker``.

It builds the Flask app from the environment (``TRACKER_*`` settings, ``instance/config.py``), as
``flask --app tracker worker`` does; see :mod:`tracker.queue`.
"""

from tracker import create_app
from tracker.queue import celery_for

flask_app = create_app()
celery_app = celery_for(flask_app)
