"""Rules-file problems in words a person can act on: where, what is wrong, what would fix it."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from accord.engine import rules as rules_module
from accord.engine.rules import RuleSet, parse_rules


def _known_keys() -> list[str]:
    models = [
        v
        for v in vars(rules_module).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v is not BaseModel
    ]
    return sorted({name for model in models for name in model.model_fields})


def _location(loc: tuple[int | str, ...]) -> str:
    """('passes', 0, 'conditions', 1, 'similar', 'threshold') → passes[0].conditions[1].threshold"""
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif (
            index > 0
            and isinstance(loc[index - 1], int)
            and part in ("equal", "equal_any", "tolerance", "date_window", "similar")
        ):
            continue  # the condition type pydantic adds for tagged unions
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


def describe_validation_error(error: ValidationError) -> list[str]:
    """One line per problem: location, message, the value given and, if likely, a fix."""
    lines = []
    for problem in error.errors():
        where = _location(tuple(problem["loc"]))
        kind = problem["type"]
        message = problem["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            key = str(problem["loc"][-1])
            close = difflib.get_close_matches(key, _known_keys(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            lines.append(f"{where}: unknown key {key!r}{hint}")
        elif kind == "missing":
            lines.append(f"{where}: required, but missing")
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            lines.append(
                f"{where}: 'type' must be one of equal, equal_any, tolerance, date_window, similar"
            )
        else:
            given = problem.get("input")
            shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
            lines.append(f"{where}: {message}{shown}")
    return lines


def check_rules_text(text: str) -> tuple[RuleSet | None, list[str]]:
    """Validate a YAML/JSON rules document; returns the rules or the problems found."""
    try:
        return parse_rules(text), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return None, [f"{where}not valid YAML or JSON: {getattr(error, 'problem', error)}"]
    except ValidationError as error:
        return None, describe_validation_error(error)


def check_rules_file(path: str | Path) -> tuple[RuleSet | None, list[str]]:
    """Like `check_rules_text`, reading the file (a missing file is a problem, not a crash)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        return None, [f"cannot read {path}: {error.strerror or error}"]
    return check_rules_text(text)
