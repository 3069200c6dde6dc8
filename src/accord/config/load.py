"""Build Settings from the environment, reporting every problem at once.

Secrets are checked here (length, distinctness, example values in production); in development
and test a missing secret is generated once and kept in the data dir so restarts keep sessions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pydantic import SecretStr, ValidationError

from accord.config.secrets_file import load_or_create_secrets
from accord.config.settings import (
    AppSettings,
    CacheSettings,
    DatabaseSettings,
    Environment,
    LogSettings,
    Section,
    SecuritySettings,
    Settings,
)

GENERATE_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
_S = TypeVar("_S", bound=Section)

MIN_SECRET_LENGTH = 32
SECRET_VARIABLES = {
    "jwt_secret": "JWT_SECRET",
    "jwt_refresh_secret": "JWT_REFRESH_SECRET",
    "csrf_secret": "CSRF_SECRET",
}
# Values printed in README.md, .env.example and docker-compose.dev.yml: fine for a laptop,
# refused in production because anyone who has read the docs knows them.
EXAMPLE_SECRETS = frozenset(
    {
        "dev-jwt-secret-change-me-0123456789abcdef",
        "dev-jwt-refresh-secret-change-me-0123456789",
        "dev-csrf-secret-change-me-0123456789abcdef",
        "change-me-to-a-long-random-string-of-32-chars-or-more",
    }
)


@dataclass(frozen=True)
class ConfigProblem:
    variable: str
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.rule}. Fix: {self.fix}"


class ConfigError(Exception):
    """All configuration problems found in one pass. Never contains a secret value."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} configuration problem(s):\n{lines}")


def _variable_name(section: type[Section], field: str) -> str:
    info = section.model_fields[field]
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return f"{section.ENV_PREFIX}{field}".upper()


def _build_section(
    section: type[_S], env: Mapping[str, str], problems: list[ConfigProblem]
) -> _S | None:
    names = {_variable_name(section, f): f for f in section.model_fields}
    values = {names[k]: v for k, v in env.items() if k in names and v != ""}  # by field name
    try:
        return section.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            variable = _variable_name(section, field) if field in section.model_fields else field
            problems.append(
                ConfigProblem(variable, err["msg"], f"set {variable} to a valid value or unset it")
            )
        return None


def _check_secrets(
    security: SecuritySettings, env: Environment, problems: list[ConfigProblem]
) -> None:
    values: dict[str, str] = {}
    for field, variable in SECRET_VARIABLES.items():
        secret: SecretStr | None = getattr(security, field)
        if secret is None:
            problems.append(
                ConfigProblem(
                    variable,
                    "is required in production",
                    f"set {variable} to a random string of at least {MIN_SECRET_LENGTH} "
                    f"characters, e.g. the output of `{GENERATE_COMMAND}`",
                )
            )
            continue
        value = secret.get_secret_value()
        values[variable] = value
        if len(value) < MIN_SECRET_LENGTH:
            problems.append(
                ConfigProblem(
                    variable,
                    f"is {len(value)} characters long; at least {MIN_SECRET_LENGTH} are required",
                    f"set {variable} to a random string of {MIN_SECRET_LENGTH}+ characters",
                )
            )
        elif env is Environment.production and value in EXAMPLE_SECRETS:
            problems.append(
                ConfigProblem(
                    variable,
                    "is an example value published in Accord's docs",
                    f"generate a new random value for {variable}",
                )
            )
    if values.get("JWT_SECRET") and values.get("JWT_SECRET") == values.get("JWT_REFRESH_SECRET"):
        problems.append(
            ConfigProblem(
                "JWT_REFRESH_SECRET",
                "must differ from JWT_SECRET",
                "give access and refresh tokens different secrets",
            )
        )


def _environment_of(env: Mapping[str, str]) -> Environment:
    # Used only when ACCORD_ENV itself is invalid: judge secrets by the strictest rules.
    try:
        return Environment(env.get("ACCORD_ENV", "development"))
    except ValueError:
        return Environment.production


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read, validate and complete the configuration, or raise ConfigError listing every problem."""
    env = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    app = _build_section(AppSettings, env, problems)
    log = _build_section(LogSettings, env, problems)
    db = _build_section(DatabaseSettings, env, problems)
    cache = _build_section(CacheSettings, env, problems)
    security = _build_section(SecuritySettings, env, problems)
    generated: tuple[str, ...] = ()
    mode = app.env if app is not None else _environment_of(env)
    if security is not None:
        missing = [f for f in SECRET_VARIABLES if getattr(security, f) is None]
        if missing and mode is not Environment.production and app is not None:
            stored = load_or_create_secrets(app.data_dir, missing)
            security = security.model_copy(update={f: SecretStr(stored[f]) for f in missing})
            generated = tuple(SECRET_VARIABLES[f] for f in missing)
        _check_secrets(security, mode, problems)
    if mode is Environment.production and db is not None and db.url is None:
        problems.append(
            ConfigProblem(
                "DATABASE_URL",
                "is required in production (the embedded PostgreSQL is for development)",
                "set DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DBNAME",
            )
        )
    if problems or app is None or log is None or db is None or cache is None or security is None:
        raise ConfigError(problems)
    return Settings(
        app=app, log=log, db=db, cache=cache, security=security, generated_secrets=generated
    )
