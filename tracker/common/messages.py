"""Translatable messages from modules that do not import Flask (services, rules, validators).

``N_("Use at least %(count)d characters.", count=12)`` returns a :class:`Message`: a plain
``str`` holding the English text (so code and tests can compare and print it as usual) that
also remembers its template and parameters. The web layer shows it in the reader's language
with :func:`translate`; ``pybabel extract -k N_ -k N_plural:1,2`` collects the templates.

* A count picks its form with :func:`counted` from an :func:`N_plural` pair.
* Parameters may be messages themselves; they are translated too.
* :func:`listing` joins messages ("2 indicators, 1 outcome"), each translated on its own.
* Display labels that forms and templates use as text (``{Status.DRAFT: lazy(N_("Draft"))}``)
  are :func:`lazy`: they show themselves in the reader's language each time they are used.
"""

from collections.abc import Callable

from babel.support import LazyProxy


class Message(str):
    """English text that can be rendered again in another language.

    With a ``plural`` template, ``params["num"]`` picks the form (English: singular for 1).
    """

    template: str
    params: dict
    plural: str | None

    def __new__(cls, template, params=None, plural=None):
        params = params or {}
        english = plural if plural is not None and params["num"] != 1 else template
        message = super().__new__(cls, english % params if params else english)
        message.template = template
        message.params = params
        message.plural = plural
        return message

    def __reduce__(self):
        return (type(self), (self.template, self.params, self.plural))

    def translated(self, gettext, ngettext):
        params = {name: translate(value, gettext, ngettext) for name, value in self.params.items()}
        if self.plural is not None:
            return ngettext(self.template, self.plural, params["num"]) % params
        text = gettext(self.template)
        return text % params if params else text


class Listing(Message):
    """Messages in a row, joined by ``separator`` (which is not translated)."""

    def __new__(cls, messages, separator=", "):
        listing = str.__new__(cls, separator.join(messages))
        listing.template, listing.params, listing.plural = separator, {"messages": list(messages)}, None
        return listing

    def __reduce__(self):
        return (Listing, (self.params["messages"], self.template))

    def translated(self, gettext, ngettext):
        return self.template.join(str(translate(message, gettext, ngettext)) for message in self.params["messages"])


def N_(template, **params):  # noqa: N802 - the conventional gettext marker name
    """Mark ``template`` for translation; ``params`` fill its ``%(name)s`` placeholders."""
    return Message(template, params)


def N_plural(singular, plural):  # noqa: N802 - a gettext-style marker
    """Mark a ``(singular, plural)`` pair for extraction (``-k N_plural:1,2``); :func:`counted` picks the form."""
    return singular, plural


def counted(forms, num, **params):
    """The message of an :func:`N_plural` pair for ``num`` things (``%(num)d`` in the templates)."""
    singular, plural = forms
    return Message(singular, {**params, "num": num}, plural)


def listing(messages, separator=", "):
    """One message of ``messages`` in a row (``separator`` is not translated)."""
    return Listing(messages, separator)


def translate(message, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]):
    """``message`` in the current language when it is a :class:`Message`, unchanged otherwise.

    ``gettext`` and ``ngettext`` look a template up without formatting it. A lazy label or any
    other text is returned as it is.
    """
    if isinstance(message, Message):
        return message.translated(gettext, ngettext)
    return message


# Lazy labels ------------------------------------------------------------------------------------

_edge = []


def use_translations(translated):
    """Tell :func:`lazy` labels how to show a message in the reader's language (the web layer does, at start)."""
    _edge[:] = [translated]


def in_current_language(message):
    """``message`` in the current reader's language; English until the web layer has said how."""
    return str(_edge[0](message)) if _edge else str(message)


def lazy(message):
    """A label that is ``message`` in the reader's language each time it is used as text.

    For vocabularies that forms and templates print as they are: the label is never fixed in one
    language, so a table of them can be built once, when its module is imported.
    """
    return LazyProxy(in_current_language, message, enable_cache=False)
