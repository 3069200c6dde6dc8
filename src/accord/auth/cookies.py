"""The cookies browser clients hold: access and refresh (HttpOnly), and the CSRF token.

All are Secure and SameSite. The refresh cookie is sent only to /auth, where it is exchanged;
the CSRF cookie is readable by the page, which echoes it in the X-CSRF-Token header.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Response

from accord.auth.csrf import CSRF_COOKIE

ACCESS_COOKIE = "accord_access"
REFRESH_COOKIE = "accord_refresh"
REFRESH_COOKIE_PATH = "/auth"


def _max_age(expires_at: datetime) -> int:
    return max(0, int((expires_at - datetime.now(UTC)).total_seconds()))


def set_session_cookies(
    response: Response,
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    refresh_expires_at: datetime,
    csrf_token: str,
) -> None:
    response.set_cookie(
        ACCESS_COOKIE,
        access_token,
        max_age=_max_age(access_expires_at),
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=_max_age(refresh_expires_at),
        path=REFRESH_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token,
        max_age=_max_age(refresh_expires_at),
        path="/",
        secure=True,
        httponly=False,
        samesite="strict",
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="strict"
    )
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, samesite="strict")
