"""A browser for tests that talk to real servers over HTTP: one cookie jar, forms with their hidden fields.

Only the standard library (``urllib``): ``requests`` and ``httpx`` are not dependencies. Redirects are not
followed, so a test sees the 302 and where it points. One :class:`Browser` can talk to several hosts; as
behind a load balancer, the cookies a host sets go with the next request to any of them (the jar keeps them
per address, not per port).
"""

import json
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit
from urllib.request import HTTPCookieProcessor
from urllib.request import HTTPRedirectHandler
from urllib.request import Request
from urllib.request import build_opener

TIMEOUT = 120


@dataclass
class Answer:
    status: int
    headers: object
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    @property
    def location(self):
        return self.headers.get("Location", "")


class KeepRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Requests to any host with one cookie jar; ``token`` adds ``Authorization: Bearer`` (the JSON API)."""

    def __init__(self, token=None):
        self.cookies = CookieJar()
        self.token = token
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), KeepRedirects())

    def get(self, host, path, headers=None):
        return self.request(host, "GET", path, headers=headers)

    def post_form(self, host, path, fields, files=None):
        """POST a form as a browser would: urlencoded, or multipart when it carries ``files``."""
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request(host, "POST", path, body, {"Content-Type": content_type})

    def post_json(self, host, path, document):
        return self.request(host, "POST", path, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def submit(self, host, path, fields, files=None):
        """Open the form page ``path`` on ``host`` and post ``fields`` with its hidden ones (CSRF token, version)."""
        page = self.get(host, path)
        assert page.status == 200, f"GET {path} answered {page.status}"
        return self.post_form(host, path, {**hidden_fields(page.text), **fields}, files)

    def request(self, host, method, path, body=None, headers=None):
        """``path`` may be absolute (a link an answer gave): only its path and query are used, on ``host``."""
        parts = urlsplit(path)
        target = urljoin(host.url, parts.path + (f"?{parts.query}" if parts.query else ""))
        request = Request(target, data=body, method=method, headers={  # noqa: S310 - http://127.0.0.1 only
            "Accept-Language": "en", **(headers or {}),
            **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, response.headers, response.read())
        except HTTPError as answer:
            with answer:
                return Answer(answer.code, answer.headers, answer.read())


def multipart(fields, files):
    """``multipart/form-data`` of ``fields`` ({name: value}) and ``files`` ({name: (filename, bytes, type)})."""
    boundary = "tracker-" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, media_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {media_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class FormReader(HTMLParser):
    """The hidden inputs of the page's first POST form that posts to the page itself (no ``action``)."""

    def __init__(self):
        super().__init__()
        self.fields = None
        self.inside = False
        self.done = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not self.done and (attributes.get("method") or "").lower() == "post" \
                and not attributes.get("action"):
            self.inside, self.fields = True, {}
        elif tag == "input" and self.inside and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields.setdefault(attributes["name"], attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def hidden_fields(page):
    reader = FormReader()
    reader.feed(page)
    assert reader.fields is not None, "the page has no form posting to itself"
    return reader.fields
