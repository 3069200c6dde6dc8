"""Access tokens (JWT, HS256 pinned), refresh and reset tokens (random, stored keyed-hashed).

The access token's algorithm is fixed by us, never read from its header, so `alg: none` or an
RS256/HS256 confusion cannot be used to forge one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

from accord.config import SecuritySettings
from accord.errors import Unauthorized

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "iss", "aud", "sid"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    token_id: str
    expires_at: datetime


def _secret(value: SecretStr | None) -> str:
    assert value is not None, "load_settings guarantees every secret is set"
    return value.get_secret_value()


def issue_access_token(
    security: SecuritySettings, user_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=security.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": expires,
        "iss": security.jwt_issuer,
        "aud": security.jwt_audience,
    }
    return jwt.encode(claims, _secret(security.jwt_secret), algorithm=ALGORITHM), expires


def read_access_token(security: SecuritySettings, token: str) -> AccessClaims:
    """The verified claims of `token`, or Unauthorized saying why it is not accepted."""
    try:
        claims = jwt.decode(
            token,
            _secret(security.jwt_secret),
            algorithms=[ALGORITHM],
            audience=security.jwt_audience,
            issuer=security.jwt_issuer,
            options={"require": REQUIRED_CLAIMS},
        )
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; refresh it or sign in again.") from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise Unauthorized("The access token is not valid; sign in again.") from None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def keyed_hash(security: SecuritySettings, purpose: str, token: str) -> str:
    """What is stored for a refresh or reset token: HMAC-SHA256 under JWT_REFRESH_SECRET.

    `purpose` separates the uses, so a reset token can never pass as a refresh token.
    """
    key = _secret(security.jwt_refresh_secret).encode()
    return hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()
