"""Staff accounts and sessions on both stores: passwords, links, throttling, timeouts."""

import pyotp
import pytest

from coordination.bootstrap import Services
from coordination.domain.accounts import InvalidEmail, NoRole, PasswordTooShort
from coordination.domain.identity import AgencyKind, Role
from coordination.services.accounts import (
    ENROL,
    SECOND_FACTOR,
    CodeRefused,
    LinkNotValid,
    SignInRefused,
    UnknownAccount,
)
from tests.support import FakeClock, add_agency

PASSWORD = "twelve chars or more"
HERE = "192.0.2.10"


@pytest.fixture
def svc(services: Services) -> Services:
    add_agency(services, "mbe-mayen-koblenz", AgencyKind.MIGRATIONSBERATUNG, "mayen-koblenz")
    return services


def test_a_person_signs_in_with_the_password_set_for_her(svc: Services) -> None:
    added = svc.accounts.add("Mira@Example.org ", "mbe-mayen-koblenz", (Role.CASEWORKER,),
                             "Mira Schmidt", PASSWORD)  # fmt: skip
    assert added.link is None
    assert added.user.email == "mira@example.org"
    assert added.user.user_id.startswith("u-")

    session = svc.accounts.sign_in("mira@example.org", PASSWORD, HERE)
    assert session.user.user_id == added.user.user_id
    assert session.role is Role.CASEWORKER
    assert svc.accounts.session(session.token) == session
    # The store keeps a hash of the session token, never the token.
    rows = svc.db.fetch_all("SELECT session_hash FROM {p}web_sessions")
    assert [r["session_hash"] for r in rows] != [session.token]
    stored = svc.db.fetch_one("SELECT password_hash FROM {p}users")
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")


def test_every_sign_in_opens_a_new_session(svc: Services) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    first = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    second = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    assert first.token != second.token
    assert first.csrf_token != second.csrf_token


def test_a_wrong_password_and_an_unknown_address_are_refused_alike(svc: Services) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        svc.accounts.sign_in("a@example.org", "not the password", HERE)
    with pytest.raises(SignInRefused) as unknown:
        svc.accounts.sign_in("nobody@example.org", PASSWORD, HERE)
    assert str(wrong.value) == str(unknown.value)


def test_failed_sign_ins_are_throttled_per_account(svc: Services, clock: FakeClock) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    for n in range(5):
        with pytest.raises(SignInRefused):
            svc.accounts.sign_in("a@example.org", f"guess number {n}", f"198.51.100.{n}")
    # Even the right password is refused now, from any address, with the same answer.
    with pytest.raises(SignInRefused):
        svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    clock.advance(minutes=16)
    assert svc.accounts.sign_in("a@example.org", PASSWORD, HERE).user.email == "a@example.org"


def test_failed_sign_ins_are_throttled_per_address(svc: Services) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    for n in range(20):
        with pytest.raises(SignInRefused):
            svc.accounts.sign_in(f"someone{n}@example.org", PASSWORD, HERE)
    with pytest.raises(SignInRefused):
        svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    assert svc.accounts.sign_in("a@example.org", PASSWORD, "203.0.113.7")


def test_sessions_end_when_idle_and_when_too_old(svc: Services, clock: FakeClock) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    idle = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    clock.advance(minutes=31)
    assert svc.accounts.session(idle.token) is None

    # A request every 29 minutes keeps a session alive: for 10 hours, not longer.
    busy = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    ended_after = None
    for n in range(1, 30):
        clock.advance(minutes=29)
        if svc.accounts.session(busy.token) is None:
            ended_after = n * 29
            break
    assert ended_after is not None
    assert 600 <= ended_after < 600 + 29


def test_sign_out_and_disabling_end_sessions(svc: Services) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    one = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    two = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    svc.accounts.sign_out(one.token)
    assert svc.accounts.session(one.token) is None
    assert svc.accounts.session(two.token) is not None

    svc.accounts.disable("a@example.org")
    assert svc.accounts.session(two.token) is None
    with pytest.raises(SignInRefused):
        svc.accounts.sign_in("a@example.org", PASSWORD, HERE)


def test_a_one_time_link_sets_the_password_once(svc: Services) -> None:
    added = svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.DPO,), "Dana")
    assert added.link is not None
    with pytest.raises(SignInRefused):  # no password yet
        svc.accounts.sign_in("a@example.org", "", HERE)
    with pytest.raises(PasswordTooShort):
        svc.accounts.set_password(added.link, "too short")
    svc.accounts.set_password(added.link, PASSWORD)
    with pytest.raises(LinkNotValid):
        svc.accounts.set_password(added.link, "another long password")
    assert svc.accounts.sign_in("a@example.org", PASSWORD, HERE).role is Role.DPO


def test_a_reset_voids_the_password_and_its_sessions(svc: Services) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    session = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    link = svc.accounts.reset("a@example.org")
    assert svc.accounts.session(session.token) is None
    with pytest.raises(SignInRefused):
        svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    svc.accounts.set_password(link, "a new long password")
    assert svc.accounts.sign_in("a@example.org", "a new long password", HERE)


def test_bad_account_input_changes_nothing(svc: Services) -> None:
    with pytest.raises(InvalidEmail):
        svc.accounts.add("not-an-address", "mbe-mayen-koblenz", (Role.CASEWORKER,))
    with pytest.raises(NoRole):
        svc.accounts.add("a@example.org", "mbe-mayen-koblenz", ())
    with pytest.raises(PasswordTooShort):
        svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, "short")
    with pytest.raises(UnknownAccount):
        svc.accounts.reset("a@example.org")
    assert svc.accounts.listed() == []


def code_at(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def test_a_dpo_sets_up_a_second_factor_at_the_first_sign_in(
    svc: Services, clock: FakeClock
) -> None:
    svc.accounts.add("dana@example.org", "mbe-mayen-koblenz", (Role.DPO,), "Dana", PASSWORD)
    session = svc.accounts.sign_in("dana@example.org", PASSWORD, HERE)
    assert session.pending == ENROL
    assert svc.accounts.session(session.token).pending == ENROL  # type: ignore[union-attr]
    secret, qr_code = svc.accounts.factor_setup(session)
    assert svc.accounts.factor_setup(session)[0] == secret  # one secret until confirmed
    assert qr_code.startswith("data:image/svg+xml;base64,")
    with pytest.raises(CodeRefused):
        svc.accounts.confirm_factor(session, "000000" if code_at(secret, clock) != "000000"
                                    else "111111")  # fmt: skip
    svc.accounts.confirm_factor(session, code_at(secret, clock))
    assert svc.accounts.session(session.token).pending is None  # type: ignore[union-attr]
    # The secret is sealed at rest: the table does not hold it.
    row = svc.db.fetch_one("SELECT totp_secret FROM {p}users")
    assert row is not None
    assert secret not in row["totp_secret"]

    clock.advance(seconds=60)
    again = svc.accounts.sign_in("dana@example.org", PASSWORD, HERE)
    assert again.pending == SECOND_FACTOR
    code = code_at(secret, clock)
    svc.accounts.check_code(again, code)
    assert svc.accounts.session(again.token).pending is None  # type: ignore[union-attr]
    # A code is good once: read over a shoulder, it opens nothing more.
    third = svc.accounts.sign_in("dana@example.org", PASSWORD, HERE)
    with pytest.raises(CodeRefused):
        svc.accounts.check_code(third, code)


def test_codes_are_throttled_like_passwords(svc: Services, clock: FakeClock) -> None:
    svc.accounts.add("dana@example.org", "mbe-mayen-koblenz", (Role.DPO,), "Dana", PASSWORD)
    first = svc.accounts.sign_in("dana@example.org", PASSWORD, HERE)
    secret, _ = svc.accounts.factor_setup(first)
    svc.accounts.confirm_factor(first, code_at(secret, clock))
    clock.advance(seconds=60)
    session = svc.accounts.sign_in("dana@example.org", PASSWORD, HERE)
    right = code_at(secret, clock)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(CodeRefused):
            svc.accounts.check_code(session, wrong)
    with pytest.raises(CodeRefused):
        svc.accounts.check_code(session, right)
    assert svc.accounts.session(session.token).pending == SECOND_FACTOR  # type: ignore[union-attr]


def test_a_caseworker_needs_no_second_factor_but_may_set_one_up(
    svc: Services, clock: FakeClock
) -> None:
    svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,), None, PASSWORD)
    session = svc.accounts.sign_in("a@example.org", PASSWORD, HERE)
    assert session.pending is None
    secret, _ = svc.accounts.factor_setup(session)
    svc.accounts.confirm_factor(session, code_at(secret, clock))
    assert svc.accounts.sign_in("a@example.org", PASSWORD, HERE).pending == SECOND_FACTOR


def test_a_link_lasts_three_days_and_a_newer_one_voids_it(svc: Services, clock: FakeClock) -> None:
    old = svc.accounts.add("a@example.org", "mbe-mayen-koblenz", (Role.CASEWORKER,)).link
    assert old is not None
    new = svc.accounts.reset("a@example.org")
    assert not svc.accounts.link_valid(old)
    clock.advance(days=3, seconds=1)
    assert not svc.accounts.link_valid(new)
    with pytest.raises(LinkNotValid):
        svc.accounts.set_password(new, PASSWORD)
