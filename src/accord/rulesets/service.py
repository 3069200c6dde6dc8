"""Rule-set use cases: validate with the engine's schema, store versions, dry-run on samples."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accord import audit
from accord.audit.context import RequestContext
from accord.db.models import Dataset, RuleSet, RuleSetVersion, User
from accord.engine import RulesDataMismatch, reconcile
from accord.engine import RuleSet as EngineRuleSet
from accord.errors import Conflict, NotFound, UnprocessableEntity


def validated_document(document: dict[str, Any] | str) -> dict[str, Any]:
    """The document as stored (JSON), after the engine accepted it; 422 names every error."""
    if isinstance(document, str):
        try:
            document = yaml.safe_load(document)
        except yaml.YAMLError as exc:
            raise UnprocessableEntity(f"The rules text is not valid YAML or JSON: {exc}") from None
    if not isinstance(document, dict):
        raise UnprocessableEntity("The rules document must be a mapping (an object).")
    try:
        rules = EngineRuleSet.model_validate(document)
    except ValidationError as exc:
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]) or "(document)", "message": e["msg"]}
            for e in exc.errors()
        ]
        listed = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:10])
        raise UnprocessableEntity(f"The rules are invalid: {listed}", errors=errors) from None
    stored: dict[str, Any] = json.loads(rules.model_dump_json(exclude_defaults=False))
    return stored


async def get_ruleset(
    db: AsyncSession, project_id: uuid.UUID, ruleset_id: uuid.UUID, for_update: bool = False
) -> RuleSet:
    """The project's rule set; `for_update` locks it so concurrent new versions queue up."""
    query = select(RuleSet).where(RuleSet.id == ruleset_id, RuleSet.project_id == project_id)
    found = await db.scalar(query.with_for_update() if for_update else query)
    if found is None:
        raise NotFound("No rule set with this id in this project.")
    return found


async def get_version(db: AsyncSession, ruleset: RuleSet, version: int | None) -> RuleSetVersion:
    number = ruleset.latest_version if version is None else version
    found = await db.scalar(
        select(RuleSetVersion).where(
            RuleSetVersion.ruleset_id == ruleset.id, RuleSetVersion.version == number
        )
    )
    if found is None:
        raise NotFound(f"Rule set '{ruleset.name}' has no version {number}.")
    return found


async def version_numbers(db: AsyncSession, ruleset_id: uuid.UUID) -> list[int]:
    return list(
        await db.scalars(
            select(RuleSetVersion.version)
            .where(RuleSetVersion.ruleset_id == ruleset_id)
            .order_by(RuleSetVersion.version)
        )
    )


async def create_ruleset(
    db: AsyncSession,
    user: User,
    project_id: uuid.UUID,
    name: str,
    document: dict[str, Any] | str,
    context: RequestContext,
) -> tuple[RuleSet, RuleSetVersion]:
    stored = validated_document(document)
    ruleset = RuleSet(id=uuid.uuid4(), project_id=project_id, name=name, latest_version=1)
    version = RuleSetVersion(
        id=uuid.uuid4(), ruleset_id=ruleset.id, version=1, document=stored, created_by=user.id
    )
    db.add(ruleset)
    await db.flush()
    db.add(version)
    await db.flush()
    await audit.record(
        db,
        user,
        "ruleset.create",
        "ruleset",
        ruleset.id,
        project_id=project_id,
        after={"name": name, "version": 1},
        context=context,
    )
    return ruleset, version


async def add_version(
    db: AsyncSession,
    user: User,
    ruleset: RuleSet,
    document: dict[str, Any] | str,
    name: str | None,
    context: RequestContext,
) -> RuleSetVersion:
    """A new version; earlier versions stay as they were, so finished jobs stay explainable."""
    stored = validated_document(document)
    number = ruleset.latest_version + 1
    version = RuleSetVersion(
        id=uuid.uuid4(),
        ruleset_id=ruleset.id,
        version=number,
        document=stored,
        created_by=user.id,
    )
    before = {"name": ruleset.name, "version": ruleset.latest_version}
    ruleset.latest_version = number
    if name:
        ruleset.name = name
    db.add(version)
    await db.flush()
    await audit.record(
        db,
        user,
        "ruleset.update",
        "ruleset",
        ruleset.id,
        project_id=ruleset.project_id,
        before=before,
        after={"name": ruleset.name, "version": number},
        context=context,
    )
    return version


async def ready_dataset(db: AsyncSession, project_id: uuid.UUID, dataset_id: uuid.UUID) -> Dataset:
    dataset = await db.scalar(
        select(Dataset).where(Dataset.id == dataset_id, Dataset.project_id == project_id)
    )
    if dataset is None:
        raise NotFound(f"No data set {dataset_id} in this project.")
    if dataset.status != "ready" or dataset.parquet_path is None:
        raise Conflict(f"Data set '{dataset.name}' is {dataset.status}, not ready.")
    return dataset


def _head(path: Path, rows: int) -> pa.Table:
    parquet = pq.ParquetFile(path)
    batch = next(parquet.iter_batches(batch_size=rows), None)
    return (
        pa.Table.from_batches([batch]) if batch is not None else parquet.schema_arrow.empty_table()
    )


def dry_run(
    left: Path, right: Path, document: dict[str, Any], sample_rows: int
) -> tuple[dict[str, int], dict[str, Any]]:
    """Run the rules on the first rows of each side; nothing is stored."""
    left_table, right_table = _head(left, sample_rows), _head(right, sample_rows)
    try:
        result = reconcile(left_table, right_table, EngineRuleSet.model_validate(document))
    except RulesDataMismatch as exc:
        raise UnprocessableEntity(f"The rules do not fit these data sets: {exc}") from None
    sampled = {"left": left_table.num_rows, "right": right_table.num_rows}
    return sampled, result.summary
