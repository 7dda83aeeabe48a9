"""Errors the domain raises for users (not bugs). Views turn them into messages."""

from tracker.common.messages import N_


class UserError(Exception):
    """Input or a request the user can fix; never a bug, never a 500."""


class ValidationFailed(UserError):
    """One or more ``(field, message)`` reasons; ``field`` is None for the form as a whole."""

    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(message) for _field, message in self.reasons))

    @classmethod
    def on(cls, field, message):
        return cls([(field, message)])


class EditConflict(UserError):
    """Someone else saved the record after this user opened it.

    Carries the record as it is now, so the conflict page can show both versions.
    """

    def __init__(self, current):
        self.current = current
        super().__init__(N_("This record was changed by someone else after you opened it."))


def check_version(obj, submitted_version):
    """Raise :class:`EditConflict` unless the user edited the version that is stored now."""
    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        raise EditConflict(obj) from None
    if submitted != obj.version:
        raise EditConflict(obj)
