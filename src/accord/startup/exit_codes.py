"""The exit codes every Accord command uses; the container entrypoint explains them the same way."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    # 1 is left to Python itself and to usage errors from the command line parser.
    CONFIG = 2
    DATABASE_UNREACHABLE = 3
    SCHEMA_NOT_MIGRATED = 4
    INTERNAL = 70


MEANING: dict[ExitCode, tuple[str, str]] = {
    ExitCode.OK: ("success", ""),
    ExitCode.CONFIG: (
        "bad configuration",
        "fix the variables listed above; README.md has the configuration reference",
    ),
    ExitCode.DATABASE_UNREACHABLE: (
        "PostgreSQL could not be reached",
        "check DATABASE_URL, that the server runs and accepts connections, then `accord doctor`",
    ),
    ExitCode.SCHEMA_NOT_MIGRATED: (
        "the database schema is not at the current version",
        "run `accord db upgrade`, then start again",
    ),
    ExitCode.INTERNAL: (
        "internal error",
        "read the crash report named above and report it with its correlation id",
    ),
}
