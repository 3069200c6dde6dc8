"""Pair-level quality of Accord's matches against a generator's truth.csv.

    uv run python benchmarks/score.py OUT_DIR DATA_DIR/truth.csv

OUT_DIR is what `accord reconcile` wrote (matches.parquet, unmatched_*.parquet). A group
match counts as one pair per member. Truth pairs are exact, fuzzy, discrepancy and split
parts; a pair that uses a duplicate copy counts as the original's pair, once. Works on the
truth files of both benchmarks/generate.py and the shared bench's gen.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import polars as pl

PAIR_KINDS = ["exact", "fuzzy", "discrepancy", "split"]
IDS = ["left_id", "right_id"]


def predicted_pairs(out_dir: Path, suggested: bool = False) -> pl.DataFrame:
    """Pairs of the automatic matches (or, with `suggested`, of those left for review)."""
    matches = pl.read_parquet(
        out_dir / "matches.parquet", columns=["status", "left_ids", "right_ids"]
    )
    wanted = pl.col("status") == "suggested"
    matches = matches.filter(wanted if suggested else ~wanted)
    return (
        matches.explode("left_ids")
        .explode("right_ids")
        .select(
            left_id=pl.col("left_ids").cast(pl.Int64), right_id=pl.col("right_ids").cast(pl.Int64)
        )
        .unique()
    )


def score_pairs(pred: pl.DataFrame, truth: pl.DataFrame) -> dict[str, Any]:
    main = truth.filter(pl.col("kind").is_in(PAIR_KINDS))
    copies = truth.filter(pl.col("kind") == "duplicate").select(IDS)
    originals = main.select(IDS)
    # A copy shares one id with exactly one 1:1 truth pair: map the copy's pair onto it.
    to_original = pl.concat(
        [
            copies.join(originals, on="right_id").select(*IDS, ol="left_id_right", orr="right_id"),
            copies.join(originals, on="left_id").select(*IDS, ol="left_id", orr="right_id_right"),
        ]
    )
    mapped = pred.join(to_original, on=IDS, how="left").select(
        left_id=pl.coalesce("ol", "left_id"), right_id=pl.coalesce("orr", "right_id")
    )
    hits = main.join(mapped.unique(), on=IDS, how="semi")
    tp, n_pred, n_true = hits.height, pred.height, main.height
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    total = dict(main["kind"].value_counts().iter_rows())
    found = dict(hits["kind"].value_counts().iter_rows())
    split_sizes = main.filter(kind="split").group_by("left_id").len()
    whole = (
        hits.filter(kind="split")
        .group_by("left_id")
        .len()
        .join(split_sizes, on=["left_id", "len"], how="semi")
    )
    lonely_left = truth.filter(kind="unmatched_left")["left_id"].implode()
    lonely_right = truth.filter(kind="unmatched_right")["right_id"].implode()
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if tp else 0.0,
        "pred_pairs": n_pred,
        "tp": tp,
        "fp": n_pred - tp,
        "fn": n_true - tp,
        "recall_by_kind": {k: found.get(k, 0) / total[k] for k in PAIR_KINDS if total.get(k)},
        "splits_complete": whole.height / max(1, split_sizes.height),
        "pairs_on_rows_without_partner": pred.filter(
            pl.col("left_id").is_in(lonely_left) | pl.col("right_id").is_in(lonely_right)
        ).height,
    }


def ambiguity(out_dir: Path, truth: pl.DataFrame) -> dict[str, int]:
    """Records left as ambiguous, and how many of them truly had a partner."""
    partnered_left = truth.filter(pl.col("kind").is_in(PAIR_KINDS))["left_id"].implode()
    result = {}
    for side, column in (("left", "left_id"), ("right", "right_id")):
        rows = pl.read_parquet(out_dir / f"unmatched_{side}.parquet", columns=["id", "reason"])
        ambiguous = rows.filter(reason="ambiguous")
        result[f"ambiguous_{side}"] = ambiguous.height
        if side == "left":
            result["ambiguous_left_with_partner"] = ambiguous.filter(
                pl.col("id").cast(pl.Int64).is_in(partnered_left)
            ).height
        del column
    return result


def score_run(out_dir: Path, truth_path: Path) -> dict[str, Any]:
    truth = pl.read_csv(
        truth_path, schema={"left_id": pl.Int64, "right_id": pl.Int64, "kind": pl.Utf8}
    )
    scores = {**score_pairs(predicted_pairs(out_dir), truth), **ambiguity(out_dir, truth)}
    review = predicted_pairs(out_dir, suggested=True)
    if review.height:
        reviewed = score_pairs(review, truth)
        scores["suggested"] = {"pairs": review.height, "precision": reviewed["precision"]}
        everything = score_pairs(pl.concat([predicted_pairs(out_dir), review]), truth)
        scores["with_suggested"] = {k: everything[k] for k in ("precision", "recall", "f1")}
    return scores


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(json.dumps(score_run(Path(sys.argv[1]), Path(sys.argv[2])), indent=1))


if __name__ == "__main__":
    main()
