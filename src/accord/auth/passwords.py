"""Password hashing with argon2id; cost parameters come from the settings.

A hash made with other parameters still verifies, and `needs_rehash` tells the login to
upgrade it, so raising the cost takes effect as people sign in. Passwords are NFKC-normalised
first (SP 800-63B), so the same password typed on another keyboard or system still matches.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from accord.config import SecuritySettings


@dataclass(frozen=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the account does not exist, so that answer takes as long.
        self._decoy = self._hasher.hash("decoy password that matches nothing")

    def hash(self, password: str) -> str:
        return self._hasher.hash(unicodedata.normalize("NFKC", password))

    def verify(self, stored_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(stored_hash or self._decoy, unicodedata.normalize("NFKC", password))
        except (VerificationError, InvalidHashError):
            return Verification(ok=False)
        if stored_hash is None:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self._hasher.check_needs_rehash(stored_hash))


@lru_cache(maxsize=4)
def _passwords(time_cost: int, memory_kib: int, parallelism: int) -> Passwords:
    return Passwords(time_cost, memory_kib, parallelism)


def passwords_for(security: SecuritySettings) -> Passwords:
    return _passwords(
        security.argon2_time_cost, security.argon2_memory_kib, security.argon2_parallelism
    )
