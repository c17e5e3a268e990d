"""The brake on password guessing holds under concurrent requests and never locks the author out.

Real concurrent requests: one test client per thread, all against the same app and the real
database (SQLite file, or PostgreSQL with TEST_DATABASE_URL), released together by a barrier.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from blog import accounts
from blog.models import LoginFailure
from tests.helpers import BLOG, PASSWORD, SiteClient, csrf_from

ATTACKER = "198.51.100.7"


def client_at(app, address: str) -> tuple[SiteClient, str]:
    client = SiteClient(
        app,
        app.response_class,
        use_cookies=True,
        base_url=BLOG,
    )
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf_from(client.get("/admin/login"))


def attempt(client: SiteClient, token: str, email: str, password: str) -> int:
    response = client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code


def together(app, addresses: list[str], email: str, password: str) -> list[int]:
    """Send one sign-in per address, all at the same moment; return the statuses."""
    clients = [client_at(app, address) for address in addresses]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def run(n: int) -> None:
        client, token = clients[n]
        barrier.wait()
        statuses[n] = attempt(client, token, email, password)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def counts(session) -> dict[str, int]:
    session.expire_all()
    return dict(session.execute(select(LoginFailure.key, LoginFailure.count)).all())


def test_forty_simultaneous_guesses_get_only_the_allowance(app, author, session):
    statuses = together(app, [ATTACKER] * 40, author.email, "wrong guess")
    evaluated = statuses.count(401)
    assert evaluated <= accounts.FREE_FAILURES
    assert statuses.count(429) == 40 - evaluated
    assert set(statuses) <= {401, 429}
    # Every evaluated guess was counted, none lost to the race.
    pair, account = accounts.throttle_keys(author.email, ATTACKER)
    assert counts(session)[pair] == evaluated
    assert counts(session)[account] == evaluated


def test_a_distributed_guess_gets_one_try_per_address_then_none(app, author, session):
    addresses = [f"203.0.113.{n}" for n in range(1, 41)]
    first = together(app, addresses, author.email, "wrong guess")
    assert first.count(401) == 40  # each address's first try is heard (and counted)
    again = together(app, addresses, author.email, "another guess")
    assert again.count(429) == 40  # past the account's ceiling, failed addresses wait
    assert counts(session)[accounts.throttle_keys(author.email, "x")[1]] == 40


def test_the_author_gets_in_during_an_attack(app, author):
    addresses = [f"203.0.113.{n}" for n in range(1, 31)]
    together(app, addresses, author.email, "wrong guess")
    together(app, [ATTACKER] * 20, author.email, "wrong guess")
    # The author, from their own address, with the right password, while guesses go on.
    statuses = together(app, ["192.0.2.50", *[ATTACKER] * 10], author.email, PASSWORD)
    assert statuses[0] == 302
    assert 302 not in statuses[1:]  # the locked attacker is not let in, even with the password


def test_a_sustained_attack_gets_ten_guesses_in_five_minutes(app, author):
    moment = [datetime(2026, 1, 5, tzinfo=UTC)]
    app.config["CLOCK"] = lambda: moment[0]
    client, token = client_at(app, ATTACKER)
    evaluated = 0
    for _ in range(60):  # a guess every five seconds
        evaluated += attempt(client, token, author.email, "wrong guess") == 401
        moment[0] += timedelta(seconds=5)
    assert evaluated <= accounts.LOCK_AFTER
    # Fifteen more minutes of guessing every five seconds: one more at most.
    for _ in range(180):
        evaluated += attempt(client, token, author.email, "wrong guess") == 401
        moment[0] += timedelta(seconds=5)
    assert evaluated <= accounts.LOCK_AFTER + 1
    # Meanwhile the author, elsewhere, signs in at once.
    author_client, author_token = client_at(app, "192.0.2.50")
    assert attempt(author_client, author_token, author.email, PASSWORD) == 302
