"""Development secrets: generated once, kept in the data dir, so a restart logs nobody out."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

SECRETS_FILENAME = "secrets.json"


def load_or_create_secrets(data_dir: Path, names: list[str]) -> dict[str, str]:
    """Return a value for each name, generating and persisting (mode 0600) the ones not kept yet."""
    path = data_dir / SECRETS_FILENAME
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [n for n in names if len(stored.get(n, "")) < 32]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(48)
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh)
        tmp.replace(path)
    return {n: stored[n] for n in names}
