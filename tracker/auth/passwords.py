"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128


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


def password_problems(password):
    """Return what is wrong with a new password, as messages (empty when acceptable)."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters; a few unrelated words make a good password."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    return []
