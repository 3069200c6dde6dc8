"""Seeded bank statement vs general ledger data with ground truth, for the Accord benchmark.

    uv run python benchmarks/generate.py --n 1000000 --seed 7 --out /tmp/accord-bench/n1000000

N is the number of underlying transactions. Each becomes a 1:1 pair (exact, fuzzy or
discrepancy), a split (one bank line paid for 2-4 ledger lines) or a record on one side
only; duplicates are extra copies. Writes left.csv (bank), right.csv (ledger), truth.csv
(left_id, right_id, kind; one row per split part) and meta.json. Same seed, same bytes.

The noise follows what real files do: payers drop or mangle references, the bank spells
the counterparty its own way (abbreviations, legal forms, typos, case, word order), the
ledger posts a few days off, fees and FX rounding change amounts, and popular vendors and
round amounts make many look-alike decoys. The date span is fixed, so a larger N is
denser, hence harder, not just bigger.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl

KINDS = ("exact", "fuzzy", "discrepancy", "split", "unmatched_left", "unmatched_right")
DEFAULT_SHARES = {
    "fuzzy": 0.20,
    "discrepancy": 0.08,
    "split": 0.05,
    "unmatched_left": 0.06,
    "unmatched_right": 0.06,
}
DUPLICATE_SHARE = 0.01
START_DAY = 19_723  # 2024-01-01 as days since 1970-01-01
STEMS = (  # noqa: SIM905 - word pools read better as text
    "nor wes ast bel cal dor fen gal hol ing jar kel lum mar nev orl pax quil ros sav "
    "tal umb ver wil yar zen bra cre dal fro "
).split()
TRADES = (  # noqa: SIM905
    "Trading Consulting Logistics Foods Systems Services Holdings Engineering Supplies "
    "Media Software Construction Partners Group Industries Solutions Electric Pharma "
    "Textiles Packaging Energy Travel Telecom Insurance Catering Security Print Design "
    "Freight Medical Legal Marketing Office Hardware "
).split()
LEGAL = ("Ltd", "Limited", "LLC", "Inc", "GmbH", "PLC", "Co.", "Corp", "AG", "B.V.", "S.A.", "")
SWAPS = {
    "Limited": "Ltd",
    "Ltd": "Limited",
    "Services": "Svcs",
    "International": "Intl",
    "Corp": "Corporation",
    "Co.": "Company",
    "&": "and",
}
ROUND_CENTS = np.array(
    [1_000, 2_500, 4_999, 5_000, 9_900, 10_000, 19_999, 25_000, 50_000, 75_000, 100_000, 150_000]
)


def vendor_master_names(count: int, rng: np.random.Generator) -> list[str]:
    words = [a.capitalize() + b for a in STEMS for b in STEMS if a != b]
    first = rng.choice(len(words), count)
    trade = rng.choice(len(TRADES), count)
    legal = rng.choice(len(LEGAL), count)
    partner = rng.random(count) < 0.08
    names = []
    for i in range(count):
        parts = [words[first[i]]]
        if partner[i]:
            parts += ["&", words[(first[i] * 7 + 3) % len(words)]]
        parts += [TRADES[trade[i]], LEGAL[legal[i]]]
        names.append(" ".join(p for p in parts if p))
    return names


def misspell(name: str, rng: np.random.Generator) -> str:
    """One way a bank or a clerk writes a vendor's name."""
    words = name.split()
    if rng.random() < 0.4:
        words = [SWAPS.get(w, w) if rng.random() < 0.7 else w for w in words]
    if (
        rng.random() < 0.2
        and len(words) > 2
        and words[-1].strip(".") in {s.strip(".") for s in LEGAL}
    ):
        words = words[:-1]
    if rng.random() < 0.1 and len(words) > 2 and "&" not in words[:3]:
        words[0], words[1] = words[1], words[0]
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(".", "").replace(",", "")
    if rng.random() < 0.25:  # a typo: a letter dropped, doubled or replaced
        i = int(rng.integers(1, max(2, len(text) - 1)))
        op = rng.integers(3)
        letter = chr(97 + int(rng.integers(26)))
        text = (
            text[:i] + text[i + 1 :]
            if op == 0
            else text[:i] + text[i] + text[i:]
            if op == 1
            else text[:i] + letter + text[i + 1 :]
        )
    case = rng.random()
    return text.upper() if case < 0.4 else text.lower() if case < 0.55 else text


def mangle_reference(ref: str, rng: np.random.Generator) -> str | None:
    """A payer's version of an invoice reference: gone, reformatted, damaged or unrelated."""
    roll = rng.random()
    if roll < 0.35:
        return None
    if roll < 0.55:
        return ref.replace("-", " ").lower()
    if roll < 0.7:
        i = int(rng.integers(4, len(ref)))
        return ref[:i] + ref[i + 1 :]
    return f"PMT{int(rng.integers(10**8, 10**9))}"


def build(n: int, seed: int, days: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    counts = {k: round(s * n) for k, s in DEFAULT_SHARES.items()}
    counts["exact"] = n - sum(counts.values())
    kind = np.repeat(np.arange(len(KINDS)), [counts[k] for k in KINDS])
    exact, fuzzy, discrepancy, split, only_left, only_right = range(len(KINDS))

    vendors = max(2_000, n // 25)
    masters = vendor_master_names(vendors, rng)
    popularity = 1.0 / np.arange(1, vendors + 1) ** 0.85
    vendor = rng.choice(vendors, n, p=popularity / popularity.sum())
    spellings = {}

    def spelling(v: int, variant: int) -> str:
        if variant == 0:
            return masters[v]
        key = (v, variant)
        if key not in spellings:
            spellings[key] = misspell(masters[v], rng)
        return spellings[key]

    cents = np.maximum(100, np.exp(rng.normal(np.log(20_000), 1.3, n))).astype(np.int64)
    round_amount = rng.random(n) < 0.3
    cents[round_amount] = rng.choice(ROUND_CENTS, int(round_amount.sum()))
    cents[kind == split] = np.maximum(cents[kind == split], 6_000)
    cents *= np.where(rng.random(n) < 0.8, -1, 1)
    day = START_DAY + rng.integers(0, days, n)
    currency = np.where(rng.random(n) < 0.92, "EUR", np.where(rng.random(n) < 0.5, "USD", "GBP"))
    refs = [f"INV-{x:08d}" for x in rng.choice(10**8, n, replace=False)]

    # Per-event draws made up front: a loop calling the generator per row would be slow.
    bank_variant = np.where(rng.random(n) < 0.8, rng.integers(1, 5, n), 0)
    ledger_variant = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 5, n))
    shift = rng.choice([0, 0, 0, 1, 1, 2, 3], n) * rng.choice([-1, 1], n)
    fee = np.where(rng.random(n) < 0.5, rng.choice([25, 50, 100, 150, 200], n), 0)
    rounding = np.maximum(1, np.abs(cents) * rng.uniform(0.0005, 0.005, n)).astype(np.int64)
    rounding *= rng.choice([-1, 1], n)
    coin = rng.random(n) < 0.5
    batch = rng.integers(10**6, size=n)
    value_lag = rng.choice([0, 0, 0, 1, 2], n)

    left_rows, right_rows, truth = [], [], []
    left_id, right_id = (
        iter(rng.permutation(4 * n) + 10**9),
        iter(rng.permutation(6 * n) + 3 * 10**9),
    )
    for e in range(n):
        k, v = kind[e], int(vendor[e])
        lid = rid = None
        if k != only_right:
            lid = int(next(left_id))
            ref: str | None = refs[e]
            if k == fuzzy or (k == discrepancy and coin[e]):
                ref = mangle_reference(refs[e], rng)
            elif k == split:
                ref = f"BATCH{int(batch[e]):06d}" if coin[e] else None
            elif k == only_left and coin[e]:
                ref = None
            left_rows.append(
                (
                    lid,
                    int(day[e]),
                    int(value_lag[e]),
                    int(cents[e]),
                    currency[e],
                    spelling(v, int(bank_variant[e])),
                    ref,
                )
            )
        ledger_name = spelling(v, int(ledger_variant[e]))
        if k in (exact, fuzzy, discrepancy, only_right):
            rid = int(next(right_id))
            amount = int(cents[e])
            if k == discrepancy:
                amount += int(fee[e]) if fee[e] else int(rounding[e])
            right_rows.append(
                (rid, int(day[e] + shift[e]), amount, currency[e], ledger_name, refs[e])
            )
            truth.append((lid, rid, KINDS[k]))
        elif k == split:
            parts = int(rng.integers(2, 5))
            weights = rng.random(parts) + 0.3
            amounts = np.floor(abs(int(cents[e])) * weights / weights.sum()).astype(np.int64)
            amounts[-1] += abs(int(cents[e])) - amounts.sum()
            for part, back in zip(
                amounts * np.sign(cents[e]), rng.integers(0, 6, parts), strict=True
            ):
                rid = int(next(right_id))
                right_rows.append(
                    (
                        rid,
                        int(day[e] - back),
                        int(part),
                        currency[e],
                        ledger_name,
                        f"INV-{int(rng.integers(10**8, 2 * 10**8)):09d}",
                    )
                )
                truth.append((lid, rid, "split"))
        else:
            truth.append((lid, None, KINDS[k]))

    # Double imports and double postings: a copy of one side of a 1:1 pair, with a new id.
    pair_rows = [t for t in truth if t[2] in ("exact", "fuzzy", "discrepancy")]
    left_by_id = {r[0]: r for r in left_rows}
    right_by_id = {r[0]: r for r in right_rows}
    for pick in rng.choice(len(pair_rows), int(DUPLICATE_SHARE * n), replace=False):
        lid, rid, _ = pair_rows[int(pick)]
        if rng.random() < 0.5:
            copy = (int(next(left_id)), *left_by_id[lid][1:])
            left_rows.append(copy)
            truth.append((copy[0], rid, "duplicate"))
        else:
            copy = (int(next(right_id)), *right_by_id[rid][1:])
            right_rows.append(copy)
            truth.append((lid, copy[0], "duplicate"))
    return _frames(left_rows, right_rows, truth, rng)


def _frames(
    left_rows: list[tuple], right_rows: list[tuple], truth: list[tuple], rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    def frame(rows: list[tuple], names: list[str]) -> pl.DataFrame:
        df = pl.DataFrame(rows, schema=names, orient="row")
        return df[rng.permutation(df.height)]

    day_to_date = pl.duration(days=pl.col("day")) + pl.date(1970, 1, 1)
    left = frame(left_rows, ["id", "day", "lag", "cents", "currency", "counterparty", "reference"])
    left = left.select(
        "id",
        booking_date=day_to_date,
        value_date=day_to_date + pl.duration(days=pl.col("lag")),
        amount=pl.col("cents") / 100,
        currency="currency",
        counterparty="counterparty",
        description=pl.concat_str(
            [
                pl.when(pl.col("cents") > 0).then(pl.lit("CREDIT")).otherwise(pl.lit("SEPA CT")),
                pl.col("counterparty").str.to_uppercase(),
                "reference",
            ],
            separator=" ",
            ignore_nulls=True,
        ),
        reference="reference",
    )
    right = frame(right_rows, ["id", "day", "cents", "currency", "vendor_name", "doc_ref"]).select(
        "id",
        posted_date=day_to_date,
        amount=pl.col("cents") / 100,
        currency="currency",
        vendor_name="vendor_name",
        memo=pl.concat_str([pl.lit("Invoice"), "doc_ref"], separator=" "),
        doc_ref="doc_ref",
    )
    answers = pl.DataFrame(
        truth, schema={"left_id": pl.Int64, "right_id": pl.Int64, "kind": pl.Utf8}, orient="row"
    )
    return left, right, answers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    left, right, truth = build(args.n, args.seed, args.days)
    args.out.mkdir(parents=True, exist_ok=True)
    left.write_csv(args.out / "left.csv", float_precision=2)
    right.write_csv(args.out / "right.csv", float_precision=2)
    truth.write_csv(args.out / "truth.csv")
    meta = {
        "n": args.n,
        "seed": args.seed,
        "days": args.days,
        "left_rows": left.height,
        "right_rows": right.height,
        "kinds": dict(truth["kind"].value_counts().iter_rows()),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(
        f"{args.out}: {left.height:,} left, {right.height:,} right rows in "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
