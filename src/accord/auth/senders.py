"""Delivering password-reset links: by SMTP when configured, else to the log in development.

The sender is a dependency (`reset_link_sender`), so a deployment or a test can plug in its own.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Annotated, Protocol

from fastapi import Depends

from accord.api.deps import SettingsDep
from accord.config import Environment, SecuritySettings, Settings
from accord.logging import get_logger

log = get_logger(__name__)


class ResetLinkSender(Protocol):
    async def send_reset_link(self, email: str, link: str) -> None: ...


class LogResetLinkSender:
    """Writes the link to the log in development only. Elsewhere it withholds the link: logs
    travel to places a reset link (a key to the account) must not go, test logs included."""

    def __init__(self, reveal_link: bool) -> None:
        self._reveal_link = reveal_link

    async def send_reset_link(self, email: str, link: str) -> None:
        if not self._reveal_link:
            log.warning(
                "password reset requested but no SMTP is configured; no mail sent",
                email=email,
                fix="set ACCORD_SMTP_HOST (and ACCORD_SMTP_FROM) to deliver reset links",
            )
            return
        log.info("password reset link (development sender)", email=email, link=link)


class SmtpResetLinkSender:
    def __init__(self, security: SecuritySettings) -> None:
        self._security = security

    def _send(self, message: EmailMessage) -> None:
        s = self._security
        assert s.smtp_host is not None
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username and s.smtp_password:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message)

    async def send_reset_link(self, email: str, link: str) -> None:
        message = EmailMessage()
        message["From"] = self._security.smtp_from
        message["To"] = email
        message["Subject"] = "Reset your Accord password"
        minutes = self._security.password_reset_minutes
        message.set_content(
            f"Someone asked to reset the password of this Accord account.\n\n"
            f"To choose a new password, open this link within {minutes} minutes:\n{link}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n"
        )
        await asyncio.to_thread(self._send, message)
        log.info("password reset mail sent", email=email)


def sender_for(settings: Settings) -> ResetLinkSender:
    if settings.security.smtp_host:
        return SmtpResetLinkSender(settings.security)
    return LogResetLinkSender(reveal_link=settings.app.env is Environment.development)


def reset_link_sender(settings: SettingsDep) -> ResetLinkSender:
    return sender_for(settings)


ResetSenderDep = Annotated[ResetLinkSender, Depends(reset_link_sender)]
