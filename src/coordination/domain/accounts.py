"""Staff accounts: the people of an agency who sign in to the web app.

A person belongs to one agency and holds one or more roles. What they record and read
names them by a pseudonymous id (`user_id`), stable for the account's life; their name
and e-mail stay in the account, where auditors and DPOs look them up.
"""

import re
from dataclasses import dataclass

from coordination.domain.errors import DomainError
from coordination.domain.identity import Role

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # far above any passphrase; bounds the hashing work
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(DomainError):
    """An account command was refused; nothing was changed."""


class PasswordTooShort(AccountError):
    def __init__(self) -> None:
        super().__init__(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


class PasswordTooLong(AccountError):
    def __init__(self) -> None:
        super().__init__(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


class InvalidEmail(AccountError):
    def __init__(self) -> None:
        super().__init__("this is not an e-mail address")


class NoRole(AccountError):
    def __init__(self) -> None:
        super().__init__("an account holds at least one role")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong


def normal_email(email: str) -> str:
    """The address as accounts are found by it: trimmed, lower case."""
    found = email.strip().lower()
    if not _EMAIL.match(found) or len(found) > 254:
        raise InvalidEmail
    return found


def check_roles(roles: tuple[Role, ...]) -> None:
    if not roles:
        raise NoRole


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    agency_id: str
    roles: tuple[Role, ...]
    display_name: str
    disabled: bool = False
    has_password: bool = False
    second_factor: bool = False

    def first_role(self) -> Role:
        """The workspace a sign-in opens: the caseworker's, where a person has several."""
        return min(self.roles, key=list(Role).index)


@dataclass(frozen=True)
class FederatedIdentity:
    """Who an agency's identity provider says signed in (OpenID Connect).

    `subject` is the provider's issuer and its `sub` for the person: stable where an
    address may change. `multi_factor`: the provider says it checked more than a password.
    """

    subject: str
    email: str | None
    email_verified: bool | None
    multi_factor: bool
