"""gunicorn settings for serving Evidence Tracker: ``gunicorn -c python:tracker.serving 'tracker:create_app()'``.

The access log names the path, never the query string (``%(U)s``, not ``%(r)s``) or the referrer (which
carries the previous page's query string): a search query can be a child's name. Everything else may be
set on the command line as usual (``--workers``, ``--bind``).
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'
