"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B and OWASP ASVS 5.0: 12 to 128 characters, any
characters, no composition rules, and no password that attackers try first. The
list of those comes from zxcvbn's bundled frequency lists (30,000 passwords seen
most often in public breaches), so no scraped list lives in this repository.
"""

import string
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from tracker.common.messages import N_

MIN_LENGTH = 12
MAX_LENGTH = 128
# A password made of one short unit repeated ("abcabcabcabc", "zzzzzzzzzzzz") is as weak as the unit.
SHORT_UNIT = 3
DECORATION = string.digits + string.punctuation


def make_hasher(time_cost, memory_cost, parallelism):
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def verify(hasher, password_hash, password):
    """Return whether ``password`` matches; malformed hashes simply don't match."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords():
    """The bundled list of common passwords, lower-case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise(password):
    """Case, spaces and Unicode compatibility forms don't make a password harder to guess."""
    return "".join(unicodedata.normalize("NFKC", password).casefold().split())


def repeated_unit(text):
    """Return the shortest unit whose repetition makes up ``text`` (``text`` itself when none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def is_common(password):
    """Whether ``password`` is, or merely decorates or repeats, a common password.

    "Password2024!", "qwertyqwerty" and "zzzzzzzzzzzz" are common; a phrase of
    unrelated words is not, whatever its letters.
    """
    listed = common_passwords()
    text = normalise(password)
    core = text.strip(DECORATION)
    unit = repeated_unit(text)
    return (text in listed or core in listed
            or (unit != text and (len(unit) <= SHORT_UNIT or unit in listed or unit.strip(DECORATION) in listed)))


def password_problems(password):
    """Return what is wrong with a new password, as messages (empty when acceptable)."""
    if len(password) < MIN_LENGTH:
        return [N_("Use at least %(count)d characters; a few unrelated words make a good password.", count=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [N_("Use at most %(count)d characters.", count=MAX_LENGTH)]
    if is_common(password):
        return [N_("This password is on a list of passwords that attackers try first. "
                "A few unrelated words make a strong, memorable password.")]
    return []
