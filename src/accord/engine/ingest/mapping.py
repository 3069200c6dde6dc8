"""Column mapping as data: rename, type, format, constants, debit/credit into one amount.

A mapping is written once per kind of file (say, one bank's statement export) and
reused for every file of that kind, so it lives in YAML or JSON next to the rules.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.engine.ingest.column_types import ColumnType

ConstantValue = bool | int | Decimal | dt.date | str


class ColumnRule(BaseModel):
    """How one source column becomes an output column."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rename: str | None = Field(None, description="output column name (default: the source name)")
    type: ColumnType | None = Field(None, description="inferred from the data if None")
    format: str | None = Field(
        None,
        description="date: '%d/%m/%Y', 'dd/mm/yyyy', 'iso' or 'excel'; "
        "decimal: '1,234.56' or '1.234,56'",
    )
    scale: int | None = Field(None, ge=0, le=18, description="decimal places of a decimal")


class DebitCredit(BaseModel):
    """Two unsigned money columns combined into one signed amount: credit minus debit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    debit: str = Field(description="source column of money going out (becomes negative)")
    credit: str = Field(description="source column of money coming in (stays positive)")
    into: str = Field("amount", description="name of the signed output column")
    format: str | None = Field(None, description="number format of both, as in ColumnRule")
    scale: int | None = Field(None, ge=0, le=18)


class ColumnMapping(BaseModel):
    """Everything that turns one kind of file into the columns a reconciliation expects."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[str, ColumnRule] = Field(
        default_factory=dict, description="rules keyed by source column name"
    )
    constants: dict[str, ConstantValue] = Field(
        default_factory=dict, description="columns with one value on every row"
    )
    debit_credit: DebitCredit | None = None
    unmapped: Literal["keep", "drop"] = Field(
        "keep", description="what happens to source columns without a rule"
    )

    @model_validator(mode="after")
    def _output_names_are_unique(self) -> ColumnMapping:
        names = [rule.rename or source for source, rule in self.columns.items()]
        names += list(self.constants)
        if self.debit_credit is not None:
            names.append(self.debit_credit.into)
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"output column names used twice: {', '.join(duplicates)}")
        return self

    @classmethod
    def from_file(cls, path: Path | str) -> ColumnMapping:
        """Load a mapping from a .yaml/.yml or .json file."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        return cls.model_validate(data or {})
