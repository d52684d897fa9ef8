"""An agency's bearer tokens as its admin runs them (ADR 0055): list them, issue one (the
secret is shown once), revoke one. An agency holds at most two live tokens per role, so
it can bring in a new one before it retires the old. Every issue and every revocation is
an access-log entry, committed with the change it records.

Over the API an admin acts on its own agency's tokens only; at the command line the
operator acts on any agency's, named in the log as an import's operator is.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from coordination.adapters.store.access_log import AccessEntry, AccessLog
from coordination.adapters.store.directory import Directory, TokenRecord
from coordination.adapters.store.recorders import RowWrite
from coordination.adapters.timestamps import stamp
from coordination.application.errors import Forbidden
from coordination.domain.identity import Caller, Role
from coordination.services.importing.imported_by import operator

# Live tokens an agency may hold per role: the one in use and the one replacing it.
MOST_ACTIVE = 2
ISSUED, REVOKED = "token-issued", "token-revoked"


class TokenStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class TokenState:
    record: TokenRecord
    status: TokenStatus

    @classmethod
    def of(cls, record: TokenRecord, at: datetime) -> "TokenState":
        if record.revoked_at is not None:
            return cls(record, TokenStatus.REVOKED)
        if record.expires_at is not None and at >= record.expires_at:
            return cls(record, TokenStatus.EXPIRED)
        return cls(record, TokenStatus.ACTIVE)


@dataclass(frozen=True)
class Issued:
    token: str  # the bearer token, secret included: shown this once
    state: TokenState


@dataclass(frozen=True)
class Administrator:
    """Who runs tokens, as the access log names them; `scope`: the one agency whose
    tokens they may touch (an admin's own), or None for the operator (every agency)."""

    agency_id: str
    token_label: str
    role: Role
    request_id: str
    user: str = ""
    scope: str | None = None

    @classmethod
    def of(cls, caller: Caller) -> "Administrator":
        p = caller.principal
        return cls(caller.agency_id, p.token_label, p.role, caller.request_id, p.user,
                   caller.agency_id)  # fmt: skip

    @classmethod
    def at_the_command_line(cls) -> "Administrator":
        """The operating-system user, as `coordination import` names them (`operator:cli`)."""
        found = operator()
        return cls(found.agency_id, found.token_label, Role.ADMIN, f"tokens-{uuid4().hex}")


class NoSuchToken(LookupError):
    def __init__(self) -> None:
        super().__init__("no such token among the agency's tokens")


class AgencyTokens:
    def __init__(
        self, directory: Directory, access_log: AccessLog, clock: Callable[[], datetime],
        days: int,
    ) -> None:  # fmt: skip
        self.directory, self.access_log, self.clock, self.days = directory, access_log, clock, days

    def listed(self, by: Administrator, agency_id: str) -> list[TokenState]:
        """The agency's tokens, oldest first, revoked and expired ones too; no secrets."""
        _check(by, agency_id)
        now = self.clock()
        return [TokenState.of(t, now) for t in self.directory.tokens_of(agency_id)]

    def issue(self, by: Administrator, agency_id: str, role: Role, label: str | None) -> Issued:
        """A token lasting the deployment's days; TooManyTokens while the agency holds
        MOST_ACTIVE live ones of the role; UnknownAgency for an agency not registered."""
        _check(by, agency_id)
        issued = self.directory.issue_token(
            agency_id, role, label, days=self.days, most_active=MOST_ACTIVE,
            also=lambda record: self._logged(by, ISSUED, record),
        )  # fmt: skip
        record = self.directory.token(issued.token_id)
        assert record is not None
        return Issued(issued.token, TokenState.of(record, self.clock()))

    def revoke(self, by: Administrator, token_id: str) -> TokenState:
        """Revoked from the next request on; a token revoked before stays as it was (and
        is not logged again). NoSuchToken for one outside the administrator's scope."""
        found = self.directory.token(token_id)
        if found is None or by.scope not in (None, found.agency_id):
            raise NoSuchToken
        _check(by, found.agency_id)
        self.directory.revoke_token(token_id, also=lambda r: self._logged(by, REVOKED, r))
        record = self.directory.token(token_id)
        assert record is not None
        return TokenState.of(record, self.clock())

    def _logged(self, by: Administrator, action: str, token: TokenRecord) -> Sequence[RowWrite]:
        """The act's access-log entry: ids, role, label and end of the token, no secret."""
        basis: dict[str, Any] = {"agency": token.agency_id, "token_id": token.token_id,
                                 "role": token.role.value, "label": token.label}  # fmt: skip
        if token.expires_at is not None:
            basis["expires_at"] = stamp(token.expires_at)
        entry = AccessEntry(
            at=self.clock(), agency_id=by.agency_id, token_label=by.token_label,
            role=by.role.value, request_id=by.request_id, case_id=None, action=action,
            basis=basis, user=by.user,
        )  # fmt: skip
        return [self.access_log.row(entry)]


def _check(by: Administrator, agency_id: str) -> None:
    if by.role is not Role.ADMIN:
        raise Forbidden("only an admin runs an agency's tokens")
    if by.scope not in (None, agency_id):
        raise Forbidden("an admin runs its own agency's tokens only")
