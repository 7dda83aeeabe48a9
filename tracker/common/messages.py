"""Translatable messages from modules that do not import Flask (services, rules, validators).

``N_("Use at least %(count)d characters.", count=12)`` returns a :class:`Message`: a plain
``str`` holding the English text (so code and tests can compare and print it as usual) that
also remembers its template and parameters. The web layer shows it in the reader's language
with :func:`translate`; ``pybabel extract -k N_`` collects the templates.
"""

from collections.abc import Callable


class Message(str):
    """English text that can be rendered again in another language."""

    template: str
    params: dict

    def __new__(cls, template, params):
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message

    def __reduce__(self):
        return (Message, (self.template, self.params))


def N_(template, **params):  # noqa: N802 - the conventional gettext marker name
    """Mark ``template`` for translation; ``params`` fill its ``%(name)s`` placeholders."""
    return Message(template, params)


def N_plural(singular, plural):  # noqa: N802 - a gettext-style marker
    """Mark a ``(singular, plural)`` pair for extraction (``-k N_plural:1,2``); ``ngettext`` picks the form later."""
    return singular, plural


def translate(message, gettext: Callable[[str], str]):
    """``message`` in the current language when it is a :class:`Message`, unchanged otherwise.

    A lazy string (Flask-Babel's ``lazy_gettext``) or any other text is returned as it is.
    """
    if isinstance(message, Message):
        translated = gettext(message.template)
        return translated % message.params if message.params else translated
    return message
