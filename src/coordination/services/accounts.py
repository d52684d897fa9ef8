"""Staff accounts and their sign-in: the use cases of the command line and the web app.

A failed sign-in never tells whether the account exists: unknown address, wrong
password, disabled account and a throttled attempt all answer alike to the person, and
an unknown address costs the same hashing time as a known one.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from coordination.adapters.passwords import Passwords
from coordination.adapters.second_factor import SecondFactors
from coordination.adapters.store.accounts import Accounts
from coordination.adapters.store.directory import Directory, UnknownAgency
from coordination.domain.accounts import (
    AccountError,
    FederatedIdentity,
    User,
    check_password,
    check_roles,
    normal_email,
)
from coordination.domain.identity import Agency, Caller, Principal, Role

Clock = Callable[[], datetime]
WEB_LABEL = "web"  # the credential an action through the web app names (token_label)
# How often a session's last request is written down: the idle timeout is counted from
# it, so it may start up to this much early.
TOUCH_EVERY = timedelta(minutes=1)
# What a session still lacks after the password: a code, or setting a second factor up.
SECOND_FACTOR, ENROL = "second-factor", "enrol"


class SignInRefused(AccountError):
    def __init__(self) -> None:
        super().__init__("the e-mail address or the password is not right")


class UnknownAccount(AccountError):
    def __init__(self) -> None:
        super().__init__("there is no account with this e-mail address")


class CodeRefused(AccountError):
    def __init__(self) -> None:
        super().__init__("the code is not right, was used already, or there were too many tries")


class RoleNotHeld(AccountError):
    def __init__(self) -> None:
        super().__init__("the account does not hold this role")


class NoAccountForIdentity(AccountError):
    def __init__(self) -> None:
        super().__init__("no account here belongs to this identity of the identity provider")


class LinkNotValid(AccountError):
    def __init__(self) -> None:
        super().__init__("this link is not valid: it was used, has expired or was replaced")


@dataclass(frozen=True)
class SessionTimes:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins allowed within `window`, per account and per address."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Added:
    user: User
    link: str | None  # the one-time link's token, when no password was given


@dataclass(frozen=True)
class WebSession:
    """A signed-in person: their account, the role they act in, the form token."""

    token: str
    user: User
    role: Role
    agency: Agency
    csrf_token: str
    pending: str | None = None  # SECOND_FACTOR or ENROL: not signed in yet

    def caller(self, request_id: str) -> Caller:
        principal = Principal(self.agency, self.role, WEB_LABEL, WEB_LABEL, self.user.user_id)
        return Caller(principal, request_id)


class AccountService:
    def __init__(
        self, accounts: Accounts, directory: Directory, passwords: Passwords, clock: Clock,
        times: SessionTimes, factors: SecondFactors,
        factor_required_for: frozenset[Role] = frozenset(), throttle: Throttle = Throttle(),
        link_lifetime: timedelta = timedelta(days=3),
    ) -> None:  # fmt: skip
        self.accounts, self.directory, self.passwords = accounts, directory, passwords
        self.clock, self.times, self.throttle = clock, times, throttle
        self.factors, self.factor_required_for = factors, factor_required_for
        self.link_lifetime = link_lifetime

    def add(
        self, email: str, agency_id: str, roles: tuple[Role, ...], name: str | None = None,
        password: str | None = None,
    ) -> Added:  # fmt: skip
        address = normal_email(email)
        check_roles(roles)
        if password is not None:
            check_password(password)
        if not self.directory.exists(agency_id):
            raise UnknownAgency(agency_id)
        user = User(
            f"u-{uuid4().hex[:16]}", address, agency_id, tuple(dict.fromkeys(roles)),
            name or address.split("@")[0], has_password=password is not None,
        )  # fmt: skip
        hashed = self.passwords.hash(password) if password is not None else None
        self.accounts.add(user, hashed, self.clock())
        return Added(user, None if password is not None else self._new_link(user))

    def listed(self, agency_id: str | None = None) -> list[User]:
        return self.accounts.listed(agency_id)

    def disable(self, email: str) -> User:
        user = self._user(email)
        self.accounts.disable(user.user_id, self.clock())
        self.accounts.end_sessions_of(user.user_id, self.clock())
        return user

    def reset(self, email: str) -> str:
        """The password is void at once; a new one-time link sets the next."""
        user = self._user(email)
        self.accounts.set_password_hash(user.user_id, None)
        self.accounts.end_sessions_of(user.user_id, self.clock())
        return self._new_link(user)

    def link_valid(self, link: str) -> bool:
        return self.accounts.link_user(link, self.clock()) is not None

    def set_password(self, link: str, password: str) -> None:
        check_password(password)
        if not self.accounts.use_link(link, self.passwords.hash(password), self.clock()):
            raise LinkNotValid

    def sign_in(self, email: str, password: str, address: str) -> WebSession:
        """A new session (a new id at every sign-in), or SignInRefused. Where the account
        has a second factor, or its role needs one, the session is `pending` until then."""
        subjects = [_subject("account", email.strip().lower()), _subject("address", address)]
        now = self.clock()
        throttled = self._throttled(subjects, now)
        found = self.accounts.find(email.strip().lower())
        user, stored = found if found is not None else (None, None)
        # Hashed even when throttled or unknown: the answer's time tells nothing either.
        matches = self.passwords.verify(stored, password)
        if throttled or not matches or user is None or user.disabled:
            self.accounts.fail(subjects, now)
            raise SignInRefused
        if stored is not None and self.passwords.needs_rehash(stored):
            self.accounts.set_password_hash(user.user_id, self.passwords.hash(password))
        self.accounts.forget_failures_before(now - self.throttle.window)
        pending = self._pending(user)
        if pending is None:  # with a code still to come, failed codes keep counting
            self.accounts.forget_failures(subjects[0])
        return self._open(user, user.first_role(), pending)

    def sign_in_federated(self, identity: FederatedIdentity) -> WebSession:
        """A new session for the person the agency's identity provider vouched for.

        The first sign-in binds the account with the provider's (verified) address to
        the provider's subject; later ones find it by the subject alone, so a changed
        or reassigned address opens no other account. The account's own second factor
        is asked for unless the provider says it checked more than a password."""
        user = self.accounts.find_bound(identity.subject) or self._bindable(identity)
        if user is None or user.disabled:
            raise NoAccountForIdentity
        pending = None if identity.multi_factor else self._pending(user)
        return self._open(user, user.first_role(), pending)

    def _bindable(self, identity: FederatedIdentity) -> User | None:
        if not identity.email or identity.email_verified is False:
            return None
        found = self.accounts.find(identity.email.strip().lower())
        if found is None or not self.accounts.bind(found[0].user_id, identity.subject):
            return None  # no such account, or one bound to another identity
        return found[0]

    def _throttled(self, subjects: list[str], now: datetime) -> bool:
        counts = self.accounts.failures_since(subjects, now - self.throttle.window)
        return counts[subjects[0]] >= self.throttle.per_account or (
            len(subjects) > 1 and counts[subjects[1]] >= self.throttle.per_address
        )

    def _pending(self, user: User) -> str | None:
        if user.second_factor:
            return SECOND_FACTOR
        if set(user.roles) & self.factor_required_for:
            return ENROL
        return None

    def check_code(self, session: WebSession, code: str) -> None:
        """Completes a sign-in with a code of the account's second factor."""
        user = session.user
        step = self._step_of(session, self.accounts.factor(user.user_id).secret, code)
        if not self.accounts.use_step(user.user_id, step):
            self.accounts.fail([_subject("account", user.email)], self.clock())
            raise CodeRefused
        self._complete(session)

    def factor_setup(self, session: WebSession) -> tuple[str, str]:
        """The secret being set up for the account (made once), and its QR code."""
        user = session.user
        stored = self.accounts.factor(user.user_id).pending
        if stored is None:
            secret = self.factors.new_secret()
            self.accounts.set_pending_factor(user.user_id, self.factors.seal(user.user_id, secret))
        else:
            secret = self.factors.unseal(user.user_id, stored)
        return secret, self.factors.qr_code(secret, user.email)

    def confirm_factor(self, session: WebSession, code: str) -> None:
        """The secret set up becomes the account's second factor, once a code of it is
        right; the session is complete then."""
        user = session.user
        step = self._step_of(session, self.accounts.factor(user.user_id).pending, code)
        self.accounts.confirm_factor(user.user_id, step)
        self._complete(session)

    def _step_of(self, session: WebSession, sealed: str | None, code: str) -> int:
        """The time step of a right code of the sealed secret; a wrong code, or any while
        throttled, counts as a failed sign-in of the account."""
        user, now = session.user, self.clock()
        subject = [_subject("account", user.email)]
        step = None
        if sealed is not None and not self._throttled(subject, now):
            secret = self.factors.unseal(user.user_id, sealed)
            step = self.factors.matching_step(secret, code, now)
        if step is None:
            self.accounts.fail(subject, now)
            raise CodeRefused
        return step

    def _complete(self, session: WebSession) -> None:
        self.accounts.forget_failures(_subject("account", session.user.email))
        self.accounts.complete_session(session.token)

    def session(self, token: str) -> WebSession | None:
        """The live session of this token; an idle or too old one is ended here."""
        if not token:
            return None
        stored = self.accounts.session(token)
        now = self.clock()
        if stored is None:
            return None
        expired = (
            now - stored.seen_at > self.times.idle or now - stored.created_at > self.times.absolute
        )
        agency = self.directory.get_agency(stored.user.agency_id)
        if expired or stored.user.disabled or agency is None:
            self.accounts.end_session(token, now)
            return None
        if now - stored.seen_at >= TOUCH_EVERY:  # not a write per request
            self.accounts.touch(token, now)
        return WebSession(
            token, stored.user, stored.role, agency, stored.csrf_token, stored.pending
        )

    def act_as(self, session: WebSession, role: Role) -> None:
        """The session goes on in another of the account's roles (another workspace)."""
        if role not in session.user.roles:
            raise RoleNotHeld
        self.accounts.set_session_role(session.token, role)

    def sign_out(self, token: str) -> None:
        self.accounts.end_session(token, self.clock())

    def names(self, user_ids: list[str]) -> dict[str, str]:
        return self.accounts.names(user_ids)

    def _open(self, user: User, role: Role, pending: str | None) -> WebSession:
        agency = self.directory.get_agency(user.agency_id)
        if agency is None:
            raise SignInRefused
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.accounts.open_session(token, user.user_id, role, csrf, self.clock(), pending)
        return WebSession(token, user, role, agency, csrf, pending)

    def _user(self, email: str) -> User:
        found = self.accounts.find(normal_email(email))
        if found is None:
            raise UnknownAccount
        return found[0]

    def _new_link(self, user: User) -> str:
        link = secrets.token_urlsafe(32)
        self.accounts.add_link(user.user_id, link, self.clock() + self.link_lifetime)
        return link


def _subject(kind: str, value: str) -> str:
    """What the failures table keys by: hashed, so it holds no address in clear."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
