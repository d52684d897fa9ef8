"""Password hashing with Argon2id (argon2-cffi, RFC 9106's second recommended set)."""

from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self) -> None:
        self._hasher = PasswordHasher(type=Type.ID)

    @cached_property
    def _decoy(self) -> str:
        """Checked against when no account matches, so that a sign-in for an unknown
        address takes as long as one with a wrong password. Made at the first need:
        every process builds this, few sign anyone in."""
        return self._hasher.hash("no account has this password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)
