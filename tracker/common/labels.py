"""Select choices from an enum and an area's ``{member: display label}`` table (areas keep their own tables)."""


def enum_choices(enum_type, labels):
    """``(value, label)`` pairs for every member of ``enum_type``, in declaration order.

    A member missing from ``labels`` is shown as it is.
    """
    return [(member.value, labels.get(member, member)) for member in enum_type]
