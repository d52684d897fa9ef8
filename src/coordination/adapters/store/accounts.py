"""Staff accounts, their one-time password links, their sessions and failed sign-ins.

Only hashes of secrets are stored: the password's Argon2id hash, and SHA-256 of each
random link and session token (a token has 256 bits: a fast hash is enough, and a
stolen table opens no session).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from coordination.adapters.store.database import Database, Row
from coordination.adapters.timestamps import stamp
from coordination.domain.accounts import User
from coordination.domain.identity import Role


class AccountExists(ValueError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredSession:
    user: User
    role: Role
    csrf_token: str
    created_at: datetime
    seen_at: datetime
    pending: str | None  # a step of the sign-in still to do: "second-factor", "enrol"


@dataclass(frozen=True)
class StoredFactor:
    secret: str | None  # sealed
    pending: str | None  # sealed: a secret being set up, not yet confirmed
    last_step: int | None  # the time step of the last code used: none is used twice


def _user(row: Row) -> User:
    return User(
        user_id=row["user_id"], email=row["email"], agency_id=row["agency_id"],
        roles=tuple(Role(r) for r in row["roles"].split(",")),
        display_name=row["display_name"], disabled=row["disabled_at"] is not None,
        has_password=row["password_hash"] is not None,
        second_factor=row["totp_secret"] is not None,
    )  # fmt: skip


_USER = "SELECT * FROM {p}users WHERE "
_NAMES = {
    "postgres": "SELECT user_id, display_name FROM {p}users"
    " WHERE user_id IN (SELECT json_array_elements_text(%s::json))",
    "sqlite": "SELECT user_id, display_name FROM {p}users"
    " WHERE user_id IN (SELECT value FROM json_each(%s))",
}


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, user: User, password_hash: str | None, at: datetime) -> None:
        if self.find(user.email) is not None:
            raise AccountExists(user.email)
        self.db.execute(
            "INSERT INTO {p}users (user_id, email, agency_id, roles, display_name,"
            " password_hash, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (user.user_id, user.email, user.agency_id, ",".join(user.roles),
             user.display_name, password_hash, stamp(at)),
        )  # fmt: skip

    def find(self, email: str) -> tuple[User, str | None] | None:
        """The account and its password hash, by the (normalised) address."""
        row = self.db.fetch_one(_USER + "email = %s", (email,))
        return (_user(row), row["password_hash"]) if row else None

    def find_bound(self, subject: str) -> User | None:
        """The account bound to this identity of the identity provider."""
        row = self.db.fetch_one(_USER + "oidc_subject = %s", (subject,))
        return _user(row) if row else None

    def bind(self, user_id: str, subject: str) -> bool:
        """Binds the account to the identity, unless it is bound already."""
        with self.db.transaction() as cursor:
            self.db.run(
                cursor, "UPDATE {p}users SET oidc_subject = %s"
                " WHERE user_id = %s AND oidc_subject IS NULL RETURNING user_id",
                (subject, user_id),
            )  # fmt: skip
            return bool(cursor.fetchall())

    def names(self, user_ids: list[str]) -> dict[str, str]:
        """Display names of accounts by their pseudonymous ids (for auditors and DPOs)."""
        if not user_ids:
            return {}
        rows = self.db.fetch_all(_NAMES[self.db.dialect], (json.dumps(sorted(set(user_ids))),))
        return {r["user_id"]: r["display_name"] for r in rows}

    def listed(self, agency_id: str | None = None) -> list[User]:
        if agency_id is None:
            rows = self.db.fetch_all("SELECT * FROM {p}users ORDER BY agency_id, email")
        else:
            rows = self.db.fetch_all(_USER + "agency_id = %s ORDER BY email", (agency_id,))
        return [_user(r) for r in rows]

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        self.db.execute(
            "UPDATE {p}users SET password_hash = %s WHERE user_id = %s", (password_hash, user_id)
        )

    def disable(self, user_id: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE {p}users SET disabled_at = %s WHERE user_id = %s AND disabled_at IS NULL",
            (stamp(at), user_id),
        )

    def add_link(self, user_id: str, link: str, expires_at: datetime) -> None:
        """A new link replaces every earlier one of the account."""
        with self.db.transaction() as cursor:
            self.db.run(cursor, "DELETE FROM {p}password_links WHERE user_id = %s", (user_id,))
            self.db.run(
                cursor, "INSERT INTO {p}password_links VALUES (%s, %s, %s, NULL)",
                (token_hash(link), user_id, stamp(expires_at)),
            )  # fmt: skip

    def link_user(self, link: str, at: datetime) -> str | None:
        """The account a live, unused link belongs to."""
        row = self.db.fetch_one(
            "SELECT user_id FROM {p}password_links WHERE link_hash = %s AND used_at IS NULL"
            " AND expires_at > %s",
            (token_hash(link), stamp(at)),
        )  # fmt: skip
        return row["user_id"] if row else None

    def use_link(self, link: str, password_hash: str, at: datetime) -> bool:
        """Sets the password through the link, once: False if it was used meanwhile."""
        with self.db.transaction() as cursor:
            self.db.run(
                cursor, "SELECT user_id FROM {p}password_links WHERE link_hash = %s"
                " AND used_at IS NULL AND expires_at > %s", (token_hash(link), stamp(at)),
            )  # fmt: skip
            rows = cursor.fetchall()
            if not rows:
                return False
            user_id = dict(rows[0])["user_id"]
            self.db.run(
                cursor, "UPDATE {p}password_links SET used_at = %s WHERE link_hash = %s",
                (stamp(at), token_hash(link)),
            )  # fmt: skip
            self.db.run(
                cursor, "UPDATE {p}users SET password_hash = %s WHERE user_id = %s",
                (password_hash, user_id),
            )  # fmt: skip
        return True

    def open_session(
        self, token: str, user_id: str, role: Role, csrf: str, at: datetime, pending: str | None
    ) -> None:
        self.db.execute(
            "INSERT INTO {p}web_sessions (session_hash, user_id, role, csrf_token, created_at,"
            " seen_at, pending) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (token_hash(token), user_id, role.value, csrf, stamp(at), stamp(at), pending),
        )

    def set_session_role(self, token: str, role: Role) -> None:
        self.db.execute(
            "UPDATE {p}web_sessions SET role = %s WHERE session_hash = %s",
            (role.value, token_hash(token)),
        )

    def complete_session(self, token: str) -> None:
        self.db.execute(
            "UPDATE {p}web_sessions SET pending = NULL WHERE session_hash = %s",
            (token_hash(token),),
        )

    def factor(self, user_id: str) -> StoredFactor:
        row = self.db.fetch_one(
            "SELECT totp_secret, totp_pending, totp_last_step FROM {p}users WHERE user_id = %s",
            (user_id,),
        )
        if row is None:
            return StoredFactor(None, None, None)
        return StoredFactor(row["totp_secret"], row["totp_pending"], row["totp_last_step"])

    def set_pending_factor(self, user_id: str, sealed: str) -> None:
        self.db.execute(
            "UPDATE {p}users SET totp_pending = %s WHERE user_id = %s", (sealed, user_id)
        )

    def confirm_factor(self, user_id: str, step: int) -> None:
        """The secret being set up becomes the account's, its first code used."""
        self.db.execute(
            "UPDATE {p}users SET totp_secret = totp_pending, totp_pending = NULL,"
            " totp_last_step = %s WHERE user_id = %s AND totp_pending IS NOT NULL",
            (step, user_id),
        )

    def use_step(self, user_id: str, step: int) -> bool:
        """Records a code's step as used; False if it or a later one was used already."""
        with self.db.transaction() as cursor:
            self.db.run(
                cursor, "SELECT totp_last_step FROM {p}users WHERE user_id = %s", (user_id,)
            )
            rows = cursor.fetchall()
            last = dict(rows[0])["totp_last_step"] if rows else None
            if last is not None and last >= step:
                return False
            self.db.run(
                cursor, "UPDATE {p}users SET totp_last_step = %s WHERE user_id = %s",
                (step, user_id),
            )  # fmt: skip
        return True

    def session(self, token: str) -> StoredSession | None:
        """A session not ended, with its account; whether it timed out is the caller's."""
        row = self.db.fetch_one(
            "SELECT s.role AS session_role, s.csrf_token, s.created_at AS session_created,"
            " s.seen_at, s.pending, u.* FROM {p}web_sessions s"
            " JOIN {p}users u ON u.user_id = s.user_id"
            " WHERE s.session_hash = %s AND s.ended_at IS NULL",
            (token_hash(token),),
        )  # fmt: skip
        if row is None:
            return None
        return StoredSession(
            _user(row), Role(row["session_role"]), row["csrf_token"],
            datetime.fromisoformat(row["session_created"]), datetime.fromisoformat(row["seen_at"]),
            row["pending"],
        )  # fmt: skip

    def touch(self, token: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE {p}web_sessions SET seen_at = %s WHERE session_hash = %s",
            (stamp(at), token_hash(token)),
        )

    def end_session(self, token: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE {p}web_sessions SET ended_at = %s WHERE session_hash = %s"
            " AND ended_at IS NULL", (stamp(at), token_hash(token)),
        )  # fmt: skip

    def end_sessions_of(self, user_id: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE {p}web_sessions SET ended_at = %s WHERE user_id = %s AND ended_at IS NULL",
            (stamp(at), user_id),
        )

    def failures_since(self, subjects: list[str], since: datetime) -> dict[str, int]:
        counts = dict.fromkeys(subjects, 0)
        for subject in subjects:
            row = self.db.fetch_one(
                "SELECT COUNT(*) AS n FROM {p}sign_in_failures WHERE subject = %s AND at > %s",
                (subject, stamp(since)),
            )
            counts[subject] = int(row["n"]) if row else 0
        return counts

    def fail(self, subjects: list[str], at: datetime) -> None:
        with self.db.transaction() as cursor:
            for subject in subjects:
                self.db.run(
                    cursor, "INSERT INTO {p}sign_in_failures VALUES (%s, %s)", (subject, stamp(at))
                )

    def forget_failures(self, subject: str) -> None:
        """A sign-in that succeeds clears its account's count."""
        self.db.execute("DELETE FROM {p}sign_in_failures WHERE subject = %s", (subject,))

    def forget_failures_before(self, before: datetime) -> None:
        self.db.execute("DELETE FROM {p}sign_in_failures WHERE at < %s", (stamp(before),))
