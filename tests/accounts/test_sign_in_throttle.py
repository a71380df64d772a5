"""Wrong PINs slow the guesser down but never lock the owner out, and every failure looks alike."""
import re
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lms import timeutil
from lms.accounts import services
from lms.accounts.models import LoginThrottle, User
from lms.extensions import db

ATTACKER = {"REMOTE_ADDR": "10.0.0.66"}
OWNER = {"REMOTE_ADDR": "10.0.0.7"}


class Clock:
    """lms.timeutil.utcnow, moved by hand."""

    def __init__(self):
        self.now = datetime(2026, 12, 1, 8, 0, 0)

    def __call__(self):
        return self.now

    def jump(self, seconds: float):
        self.now += timedelta(seconds=seconds)


@pytest.fixture()
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(timeutil, "utcnow", fake)
    return fake


def sign_in(client, phone, pin, who):
    return client.post("/login", data={"phone": phone, "secret": pin}, environ_base=who)


def pair_row() -> LoginThrottle:
    db.session.expire_all()
    return db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.like("pair:%"))).one()


@pytest.mark.parametrize("roles", [("learner",), ("admin",)])
def test_an_outsiders_twenty_wrong_pins_do_not_keep_the_owner_out(app, make_user, clock, roles):
    owner = make_user(roles)
    attacker = app.test_client()
    for _ in range(20):
        assert sign_in(attacker, owner.phone, "111112", ATTACKER).status_code == 401
        clock.jump(app.config["LOGIN_MAX_DELAY_SECONDS"] + 1)  # so that every one of them counts
    assert sign_in(attacker, owner.phone, "111112", ATTACKER).status_code == 401  # the last one: now
    clock.jump(1)
    # From another address the owner waits at most the account's small delay, then signs in.
    phone = app.test_client()
    first = sign_in(phone, owner.phone, "482916", OWNER)
    if first.status_code != 302:
        assert first.status_code == 401
        clock.jump(app.config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"])
        assert sign_in(phone, owner.phone, "482916", OWNER).status_code == 302
    # The attacker's own address still waits, right PIN or not.
    assert sign_in(app.test_client(), owner.phone, "482916", ATTACKER).status_code == 401


def test_an_address_that_signed_in_before_is_not_slowed_by_others_failures(app, make_user, clock):
    owner = make_user()
    assert sign_in(app.test_client(), owner.phone, "482916", OWNER).status_code == 302
    attacker = app.test_client()
    for _ in range(10):
        sign_in(attacker, owner.phone, "111112", ATTACKER)
        clock.jump(1)
    assert sign_in(app.test_client(), owner.phone, "482916", OWNER).status_code == 302


def test_the_guessing_address_waits_longer_after_each_failure_and_early_tries_do_not_count(app, client,
                                                                                           make_user, clock):
    learner = make_user()
    free = app.config["LOGIN_FREE_FAILURES"]
    waits = []
    for _ in range(free + 12):
        assert sign_in(client, learner.phone, "111112", ATTACKER).status_code == 401
        row = pair_row()
        wait = (row.next_allowed_at - row.last_failure_at).total_seconds() if row.next_allowed_at else 0
        waits.append(wait)
        if wait:  # a try before the wait is over is refused, right PIN or not, and not counted
            before = row.failures
            assert sign_in(client, learner.phone, "482916", ATTACKER).status_code == 401
            assert pair_row().failures == before
        clock.jump(wait + 1)
    assert waits[:free] == [0] * free
    assert waits[free:free + 6] == [1, 2, 4, 8, 16, 32]
    assert max(waits) == app.config["LOGIN_MAX_DELAY_SECONDS"]


def _normalised(body: str) -> str:
    """The page without what differs by design: the CSRF token, and the number the person typed."""
    body = re.sub(r'(name="csrf-token" content=")[^"]*', r"\1", body)
    body = re.sub(r'(name="csrf_token" value=")[^"]*', r"\1", body)
    return re.sub(r'(name="phone"[^>]*value=")[^"]*', r"\1", body)


def test_unknown_number_no_pin_throttled_and_wrong_pin_look_exactly_alike(app, make_user, clock):
    known = make_user()
    no_pin = make_user()
    db.session.get(User, no_pin.id).secret_hash = None
    db.session.commit()
    throttled = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        sign_in(app.test_client(), throttled.phone, "111112", ATTACKER)
    answers = {
        "unknown number": ("0987654321", "482916"),
        "no PIN yet": (no_pin.phone, "482916"),
        "throttled, right PIN": (throttled.phone, "482916"),
        "wrong PIN": (known.phone, "111112"),
    }
    seen = {}
    for case, (phone, pin) in answers.items():
        response = sign_in(app.test_client(), phone, pin, ATTACKER)
        seen[case] = (response.status_code, _normalised(response.get_data(as_text=True)))
    statuses = {status for status, _ in seen.values()}
    bodies = {body for _, body in seen.values()}
    assert statuses == {401}
    assert len(bodies) == 1, [case for case in seen]
    assert "hoặc bạn đã thử quá nhiều lần" in bodies.pop()


@pytest.mark.parametrize("case", ["unknown number", "no PIN yet", "throttled", "wrong PIN"])
def test_every_failure_does_the_same_argon2_work(app, make_user, clock, monkeypatch, case):
    learner = make_user()
    if case == "no PIN yet":
        db.session.get(User, learner.id).secret_hash = None
        db.session.commit()
    if case == "throttled":
        for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
            sign_in(app.test_client(), learner.phone, "111112", ATTACKER)
    checked = []
    real = services.verify_secret

    def counting(hashed, secret):
        checked.append(hashed)
        return real(hashed, secret)

    monkeypatch.setattr(services, "verify_secret", counting)
    phone = "0987654321" if case == "unknown number" else learner.phone
    pin = "111112" if case == "wrong PIN" else "482916"
    assert sign_in(app.test_client(), phone, pin, ATTACKER).status_code == 401
    # As many checks as people may share a number, whoever holds it (issue 19: shared phones).
    assert len(checked) == services.SHARED_PHONE_LIMIT
    cost = f"m={app.config['ARGON2_MEMORY_COST']},t={app.config['ARGON2_TIME_COST']}"
    assert all(h.startswith("$argon2id$") and cost in h for h in checked)


def test_two_failures_at_the_same_moment_both_count(app, make_user, clock):
    phone = make_user().phone  # read here: the test's own session must not be used by the threads
    barrier = threading.Barrier(2)
    errors = []

    def fail():
        try:
            with app.test_request_context("/login", environ_base=ATTACKER):
                barrier.wait(timeout=10)
                assert services.authenticate(phone, "111112").error == "wrong"
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=fail) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    db.session.expire_all()
    counts = dict(db.session.execute(sa.select(LoginThrottle.key, LoginThrottle.failures)).all())
    assert sorted(counts.values()) == [2, 2]  # the account, and the account from this address


def test_a_coordinators_pin_reset_clears_the_waits(app, make_user, clock):
    learner = make_user()
    for _ in range(8):
        sign_in(app.test_client(), learner.phone, "111112", ATTACKER)
    with app.test_request_context():
        pin = services.reset_pin(db.session.get(User, learner.id))
        db.session.commit()
    assert sign_in(app.test_client(), learner.phone, pin, ATTACKER).status_code == 302
