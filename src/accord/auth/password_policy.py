"""The password policy, after NIST SP 800-63B: length, not common, not about the account.

No composition rules (they make passwords harder to remember, not to guess). Each refusal
names the rule it broke, so a client can tell the person exactly what to change.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from accord.errors import UnprocessableEntity

MIN_LENGTH = 12
MAX_LENGTH = 128
# Shorter fragments of an address ("jo" of jo@x.org) would refuse too many good passwords.
MIN_CONTEXT_FRAGMENT = 3
MIN_DISTINCT_CHARACTERS = 4


class PasswordRejected(UnprocessableEntity):
    title = "Password not accepted"
    type_slug = "password-policy"

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail, rule=rule)
        self.rule = rule


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("accord.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _normalised(password: str) -> str:
    # NFKC so that look-alike forms of the same characters count (and compare) as one.
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, email: str) -> None:
    """Raise PasswordRejected naming the first rule `password` breaks for this account."""
    normalised = _normalised(password)
    if len(normalised) < MIN_LENGTH:
        raise PasswordRejected(
            "min_length", f"The password must be at least {MIN_LENGTH} characters long."
        )
    if len(normalised) > MAX_LENGTH:
        raise PasswordRejected(
            "max_length", f"The password must be at most {MAX_LENGTH} characters long."
        )
    lowered = normalised.casefold()
    if lowered in common_passwords():
        raise PasswordRejected(
            "common", "The password is on a list of commonly used passwords; choose another."
        )
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        raise PasswordRejected(
            "repetitive", "The password repeats too few characters; choose a less regular one."
        )
    local_part = email.split("@", 1)[0].casefold()
    if len(local_part) >= MIN_CONTEXT_FRAGMENT and local_part in lowered:
        raise PasswordRejected(
            "contains_email", "The password must not contain your email address or its name part."
        )
