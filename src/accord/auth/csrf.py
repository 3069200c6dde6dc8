"""CSRF protection for cookie clients: a double-submit token bound to the sign-in session.

The token is `nonce.mac` with mac = HMAC(CSRF_SECRET, session id + nonce). The browser gets it
in a readable cookie and must echo it in the X-CSRF-Token header: a cross-site page can make
the browser send the cookie but cannot read it, and a token minted for another session (or
planted by a sibling subdomain) fails the MAC.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from pydantic import SecretStr

from accord.errors import Forbidden

CSRF_COOKIE = "accord_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Forbidden):
    title = "CSRF token missing or invalid"
    type_slug = "csrf"


def _mac(secret: SecretStr | None, session_id: uuid.UUID, nonce: str) -> str:
    assert secret is not None, "load_settings guarantees CSRF_SECRET is set"
    message = f"{session_id}.{nonce}".encode()
    return hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256).hexdigest()


def issue_csrf_token(secret: SecretStr | None, session_id: uuid.UUID) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_mac(secret, session_id, nonce)}"


def check_csrf(
    secret: SecretStr | None,
    session_id: uuid.UUID,
    cookie_value: str | None,
    header_value: str | None,
) -> None:
    """Raise CsrfRefused unless the header echoes the cookie and the token is this session's."""
    if not header_value:
        raise CsrfRefused(
            f"This request uses cookie sign-in and changes data, so it needs the {CSRF_HEADER} "
            f"header set to the value of the {CSRF_COOKIE} cookie."
        )
    if not cookie_value or not hmac.compare_digest(header_value, cookie_value):
        raise CsrfRefused(f"The {CSRF_HEADER} header does not match the {CSRF_COOKIE} cookie.")
    nonce, _, mac = header_value.partition(".")
    if not hmac.compare_digest(mac, _mac(secret, session_id, nonce)):
        raise CsrfRefused("The CSRF token belongs to another session; sign in again.")
