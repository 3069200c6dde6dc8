"""The rules document: two sides, named normalisers and an ordered cascade of passes.

Rules are data (YAML or JSON validated by these models), so that the service can store them,
the CLI can check them, and the engine can compile them to SQL without any user code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.engine.normalise import BUILTIN_NORMALISERS, NormaliserStep

Cardinality = Literal["one_to_one", "one_to_many", "many_to_one", "many_to_many"]
SimilarityMethod = Literal["jaro_winkler", "token_jaro_winkler", "levenshtein", "token_set_ratio"]


class _Strict(BaseModel):
    # A misspelt key in a rules file must be an error, not a silently ignored option.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Side(_Strict):
    """One data set: how its records are identified and which columns are normalised."""

    name: str = Field(default="", description="Label used in reports, e.g. 'bank'.")
    id: str = Field(description="Column that identifies a record of this side.")
    amount: str | None = Field(
        default=None, description="Money column used for totals in the summary."
    )
    normalise: dict[str, str] = Field(
        default_factory=dict,
        description="Column → normaliser name; applied wherever the column is compared.",
    )
    duplicates: Literal["report", "keep"] = Field(
        default="report",
        description="'report': records equal on the duplicate key are set aside as duplicates "
        "of the first (lowest id); 'keep': match them like any other record.",
    )
    duplicate_key: list[str] | None = Field(
        default=None,
        description="Columns that make two records duplicates; default: every column but the id.",
    )


class _ColumnPair(_Strict):
    left: str = Field(description="Column of the left side.")
    right: str = Field(description="Column of the right side.")
    weight: float = Field(
        default=1.0, ge=0, description="Weight in the pass score; 0 makes it a pure filter."
    )


class EqualCondition(_ColumnPair):
    """Values are equal after normalisation."""

    type: Literal["equal"]
    normaliser: str | None = Field(
        default=None, description="Overrides the sides' per-column normalisers."
    )


class EqualAnyCondition(_ColumnPair):
    """Values are equal after at least one of several normalisers.

    For blocking keys that each survive a different kind of noise (a typo early in a word,
    late in a word, a misspelt legal form): one pass, candidates found under any of them.
    """

    type: Literal["equal_any"]
    normalisers: list[str] = Field(min_length=2)


class ToleranceCondition(_ColumnPair):
    """Numbers differ by at most max(absolute, relative × |base|)."""

    type: Literal["tolerance"]
    absolute: float = Field(default=0.0, ge=0)
    relative: float = Field(default=0.0, ge=0, lt=1)
    relative_to: Literal["left", "right"] = "left"


class DateWindowCondition(_ColumnPair):
    """The right date lies between min_days and max_days after the left date (may be negative)."""

    type: Literal["date_window"]
    min_days: int = Field(default=0, ge=-366, le=366)
    max_days: int = Field(default=0, ge=-366, le=366)

    @model_validator(mode="after")
    def _ordered(self) -> DateWindowCondition:
        if self.min_days > self.max_days:
            raise ValueError(f"min_days ({self.min_days}) is after max_days ({self.max_days})")
        return self


class SimilarityCondition(_ColumnPair):
    """Texts are similar: method(normalised left, normalised right) ≥ threshold, in [0, 1]."""

    type: Literal["similar"]
    normaliser: str | None = None
    method: SimilarityMethod = "jaro_winkler"
    threshold: float = Field(ge=0, le=1)


class NearCondition(_ColumnPair):
    """Texts are equal, or at most `max_edits` edits apart, after normalisation.

    An edit inserts, deletes or replaces one character, or swaps two neighbours (Damerau-
    Levenshtein): a reference typed by hand with a slip. Finds candidates by itself (each
    text's variants with up to `max_edits` characters deleted are hashed); texts shorter than
    `MIN_NEAR_LENGTH` or longer than `MAX_NEAR_LENGTH` characters pair only when equal: a few
    letters are a few edits from too many others, and a long text has too many variants.
    """

    type: Literal["near"]
    normaliser: str | None = None
    max_edits: int = Field(default=1, ge=1, le=2)


# Outside these lengths (after normalising) a `near` condition asks for equal texts.
MIN_NEAR_LENGTH = 6
MAX_NEAR_LENGTH = 64

Condition = Annotated[
    EqualCondition
    | EqualAnyCondition
    | ToleranceCondition
    | DateWindowCondition
    | SimilarityCondition
    | NearCondition,
    Field(discriminator="type"),
]


class SumTolerance(_Strict):
    """The group's amounts sum to the single record's amount within a tolerance."""

    left: str
    right: str
    absolute: float = Field(default=0.0, ge=0)
    relative: float = Field(default=0.0, ge=0, lt=1)


class GroupSpec(_Strict):
    """Bounds of a group in a one-to-many, many-to-one or many-to-many pass."""

    sum: SumTolerance
    max_size: int = Field(default=4, ge=2, le=8, description="Most records in a group.")
    same: list[str] = Field(
        default_factory=list,
        description="Columns of the grouped side whose (normalised) values all members share.",
    )
    same_normalised: bool = Field(
        default=True,
        description="Compare the 'same' columns after the side's normaliser (true) or "
        "exactly as written (false: the parts of one payment usually carry one spelling).",
    )
    max_candidates: int = Field(
        default=40,
        ge=2,
        le=200,
        description="Records with more possible members sharing the 'same' values than this "
        "are left to review.",
    )
    skip_crowded: bool = Field(
        default=False,
        description="Leave out records an earlier group pass found with more possible members "
        "than its max_candidates: right when this pass's keys are looser than that pass's "
        "(they would only find more).",
    )
    skip_paired: bool = Field(
        default=False,
        description="Leave out records an earlier group pass found any possible member for "
        "(crowded ones included): for a last pass on looser names, meant for the records "
        "whose names no earlier pass's keys recognised.",
    )
    hold_ambiguous: bool = Field(
        default=False,
        description="Records this pass leaves ambiguous (the single record and every possible "
        "member listed) are held for review: later one-to-one passes do not match them; "
        "later group passes still may.",
    )
    skip_ambiguous_members: bool = Field(
        default=False,
        description="Leave out of the possible members the records an earlier one-to-one pass "
        "left ambiguous (equally good candidates, or a best candidate with an equally good "
        "rival): such a record is usually some other transaction's, and as a member it only "
        "makes chance subsets that fit the amount.",
    )


class ComparedField(_Strict):
    """A field whose difference on matched records makes a match 'with differences'."""

    left: str
    right: str
    normaliser: str | None = None
    tolerance: float = Field(
        default=0.0, ge=0, description="Numeric differences up to this are equal."
    )


class MatchPass(_Strict):
    """One step of the cascade; it only sees records that earlier passes left unmatched."""

    name: str = Field(min_length=1)
    cardinality: Cardinality = "one_to_one"
    action: Literal["auto", "suggest"] = "auto"
    conditions: list[Condition] = Field(min_length=1)
    min_score: float = Field(
        default=0.0, ge=0, le=1, description="Candidates scoring below this are not matched."
    )
    group: GroupSpec | None = None
    compare: list[ComparedField] = Field(default_factory=list)

    @property
    def grouped_side(self) -> Literal["l", "r"] | None:
        """The side whose records form groups ('same' names its columns), if one does."""
        return {"one_to_many": "r", "many_to_one": "l"}.get(self.cardinality)  # type: ignore[return-value]

    @model_validator(mode="after")
    def _well_formed(self) -> MatchPass:
        blocking = [c for c in self.conditions if c.type != "similar"]
        if not blocking:
            raise ValueError(
                "a pass needs at least one equal, equal_any, near, tolerance or date_window "
                "condition to find candidates; similarity alone would compare every pair"
            )
        if self.cardinality == "one_to_one" and self.group is not None:
            raise ValueError("'group' only applies to one_to_many, many_to_one, many_to_many")
        if self.cardinality != "one_to_one" and self.group is None:
            raise ValueError(f"a {self.cardinality} pass needs a 'group' with a 'sum'")
        if self.cardinality == "many_to_many" and not any(
            c.type == "equal" for c in self.conditions
        ):
            raise ValueError("a many_to_many pass needs an equal condition: the shared key")
        others = sorted({c.type for c in self.conditions if c.type != "equal"})
        if self.cardinality == "many_to_many" and others:
            raise ValueError(
                "a many_to_many pass groups by its equal conditions and compares the groups' "
                f"sums only; remove its {', '.join(others)} condition(s) (a one_to_many or "
                "many_to_one pass can use them)"
            )
        return self


class RuleSet(_Strict):
    """A complete rules document."""

    version: Literal[1] = 1
    left: Side
    right: Side
    normalisers: dict[str, list[NormaliserStep]] = Field(
        default_factory=dict, description="Named normalisers: ordered steps."
    )
    passes: list[MatchPass] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> RuleSet:
        names = [p.name for p in self.passes]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"pass names must be unique; repeated: {', '.join(repeated)}")
        known = set(BUILTIN_NORMALISERS) | set(self.normalisers)
        for where, name in self._normaliser_uses():
            if name not in known:
                raise ValueError(
                    f"{where}: unknown normaliser {name!r}; known: {', '.join(sorted(known))}"
                )
        return self

    def _normaliser_uses(self) -> list[tuple[str, str]]:
        uses = [
            (f"{s}.normalise.{c}", n)
            for s in ("left", "right")
            for c, n in getattr(self, s).normalise.items()
        ]
        for i, p in enumerate(self.passes):
            uses += [
                (f"passes[{i}].conditions[{j}]", c.normaliser)
                for j, c in enumerate(p.conditions)
                if isinstance(c, EqualCondition | SimilarityCondition | NearCondition)
                and c.normaliser
            ]
            uses += [
                (f"passes[{i}].conditions[{j}]", name)
                for j, c in enumerate(p.conditions)
                if isinstance(c, EqualAnyCondition)
                for name in c.normalisers
            ]
            uses += [
                (f"passes[{i}].compare[{j}]", f.normaliser)
                for j, f in enumerate(p.compare)
                if f.normaliser
            ]
        return uses


# libyaml's parser where PyYAML was built with it (the wheels are): the pure-Python one took
# ~0.1 s of CPU for the benchmark's rules, much of it beside the other side's load.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_rules(text: str) -> RuleSet:
    """Validate a YAML or JSON rules document (JSON is YAML, so one parser reads both)."""
    return RuleSet.model_validate(yaml.load(text, Loader=_YAML_LOADER))  # noqa: S506 (safe)


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rules file."""
    return parse_rules(Path(path).read_text(encoding="utf-8"))


def rules_json_schema() -> dict[str, Any]:
    """The JSON Schema of the rules document, for editors and the docs."""
    schema = RuleSet.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Accord rules"
    return schema


def rules_json_schema_text() -> str:
    return json.dumps(rules_json_schema(), indent=2)
