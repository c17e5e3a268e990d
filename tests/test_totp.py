"""TOTP against RFC 6238's test vectors (appendix B) and RFC 4226's (appendix D)."""

from datetime import UTC, datetime

import pytest

from blog import totp

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
# (time, {algorithm: code}), RFC 6238 appendix B.
VECTORS = [
    (59, {"sha1": "94287082", "sha256": "46119246", "sha512": "90693936"}),
    (1111111109, {"sha1": "07081804", "sha256": "68084774", "sha512": "25091201"}),
    (1111111111, {"sha1": "14050471", "sha256": "67062674", "sha512": "99943326"}),
    (1234567890, {"sha1": "89005924", "sha256": "91819424", "sha512": "93441116"}),
    (2000000000, {"sha1": "69279037", "sha256": "90698825", "sha512": "38618901"}),
    (20000000000, {"sha1": "65353130", "sha256": "77737706", "sha512": "47863826"}),
]


@pytest.mark.parametrize(("seconds", "codes"), VECTORS)
@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_rfc_6238_vectors(seconds, codes, digest):
    moment = datetime.fromtimestamp(seconds, UTC)
    assert totp.totp(SEEDS[digest], moment, digits=8, digest=digest) == codes[digest]


def test_rfc_4226_vectors():
    expected = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
    assert [totp.hotp(SEEDS["sha1"], n) for n in range(10)] == expected


def test_a_code_is_accepted_once_and_near_its_time_only():
    secret = totp.new_secret()
    moment = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
    code = totp.totp(totp.key_of(secret), moment)
    step = totp.accepted_step(secret, code, moment, None)
    assert step == totp.step_of(moment)
    assert totp.accepted_step(secret, code, moment, step) is None  # never twice
    later = datetime.fromtimestamp(moment.timestamp() + 30, UTC)
    assert totp.accepted_step(secret, code, later, None) == step  # a step of drift
    much_later = datetime.fromtimestamp(moment.timestamp() + 120, UTC)
    assert totp.accepted_step(secret, code, much_later, None) is None
    assert totp.accepted_step(secret, "12345x", moment, None) is None
    assert totp.provisioning_uri(secret, "a@b.org", "Desk").startswith(
        "otpauth://totp/Desk%3Aa%40b.org?secret="
    )
