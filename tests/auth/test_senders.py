"""Reset-link delivery by SMTP when it is configured."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any, ClassVar

import pytest

from accord.auth.senders import LogResetLinkSender, SmtpResetLinkSender, sender_for
from accord.config import Settings


class FakeSmtp:
    sent: ClassVar[list[EmailMessage]] = []
    calls: ClassVar[list[str]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(self, *_: Any) -> None:
        self.calls.append("quit")

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_smtp_settings_choose_the_smtp_sender(
    make_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(sender_for(make_settings()), LogResetLinkSender)
    settings: Settings = make_settings(
        ACCORD_SMTP_HOST="mail.example.com",
        ACCORD_SMTP_USERNAME="accord",
        ACCORD_SMTP_PASSWORD="mail-password-123",
        ACCORD_SMTP_FROM="noreply@example.com",
    )
    sender = sender_for(settings)
    assert isinstance(sender, SmtpResetLinkSender)
    monkeypatch.setattr("accord.auth.senders.smtplib.SMTP", FakeSmtp)
    asyncio.run(sender.send_reset_link("kim@example.com", "https://app/reset-password#token=abc"))
    assert FakeSmtp.calls == ["connect mail.example.com:587", "starttls", "login accord", "quit"]
    (message,) = FakeSmtp.sent
    assert message["To"] == "kim@example.com"
    assert message["From"] == "noreply@example.com"
    assert "https://app/reset-password#token=abc" in message.get_content()
