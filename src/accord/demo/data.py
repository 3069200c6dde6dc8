"""A small, realistic bank statement and general ledger that mostly agree.

The noise is the kind accountants meet: references missing or mangled on the bank side,
vendor names spelt differently, bank fees, payments settled in several ledger lines, items
on one side only, and a double-imported bank line.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

BANK_COLUMNS = (
    "id",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "counterparty",
    "description",
    "reference",
)
LEDGER_COLUMNS = ("id", "posted_date", "amount", "currency", "vendor_name", "memo", "doc_ref")
_WORDS = (
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Adatum",
    "Litware",
    "Proseware",
    "Lucerne",
    "Coho",
    "Alpine",
    "Blue Yonder",
    "Margie's",
    "Trey",
    "Woodgrove",
)
_TRADES = ("Traders", "Logistics", "Supplies", "Consulting", "Foods", "Print", "Energy")
_FORMS = (("Ltd", "Limited"), ("GmbH", "GmbH"), ("plc", "PLC"), ("Inc", "Incorporated"))
_COMMON_AMOUNTS = ("9.99", "49.99", "100.00", "250.00", "1200.00")


def _vendors(rng: random.Random) -> list[tuple[str, list[str]]]:
    """Vendor master names, each with the spellings a bank statement shows."""
    vendors = []
    for word in _WORDS:
        trade = rng.choice(_TRADES)
        short, long = rng.choice(_FORMS)
        master = f"{word} {trade} {short}"
        typo_at = rng.randrange(1, len(word) - 1)
        spellings = [
            master.upper(),
            f"{word} {trade} {long}",
            f"{word} {trade}",
            f"{word[:typo_at]}{word[typo_at + 1 :]} {trade} {short}",
        ]
        vendors.append((master, spellings))
    return vendors


def _amount(rng: random.Random) -> Decimal:
    if rng.random() < 0.2:
        return Decimal(rng.choice(_COMMON_AMOUNTS))
    return Decimal(rng.randrange(500, 900_000)) / 100


def generate(n: int, seed: int = 7) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """About `n` bank lines and as many ledger lines; the same seed gives the same files."""
    rng = random.Random(seed)
    vendors = _vendors(rng)
    bank: list[dict[str, str]] = []
    ledger: list[dict[str, str]] = []
    start = date(2026, 1, 1)

    def bank_line(day: date, amount: Decimal, currency: str, name: str, ref: str) -> None:
        bank.append(
            {
                "id": f"B{len(bank) + 1:06d}",
                "booking_date": day.isoformat(),
                "value_date": (day + timedelta(days=rng.choice((0, 0, 1)))).isoformat(),
                "amount": f"{amount:,.2f}",
                "currency": currency,
                "counterparty": name,
                "description": f"SEPA CT {name[:18]} {ref}".strip(),
                "reference": ref,
            }
        )

    def ledger_line(day: date, amount: Decimal, currency: str, name: str, ref: str) -> None:
        ledger.append(
            {
                "id": f"L{len(ledger) + 1:06d}",
                "posted_date": day.isoformat(),
                "amount": f"{amount:.2f}",
                "currency": currency,
                "vendor_name": name,
                "memo": f"Invoice {ref}" if ref else "Payment",
                "doc_ref": ref,
            }
        )

    for i in range(n):
        master, spellings = rng.choice(vendors)
        day = start + timedelta(days=rng.randrange(330))
        amount = _amount(rng)
        currency = rng.choices(("EUR", "GBP", "USD"), (6, 3, 1))[0]
        ref = f"INV-2026-{i + 1:06d}"
        posted = day + timedelta(days=rng.randrange(-2, 3))
        roll = rng.random()
        if roll < 0.60:  # agrees on reference and amount
            bank_line(day, amount, currency, rng.choice(spellings), ref)
            ledger_line(posted, amount, currency, master, ref)
        elif roll < 0.75:  # reference lost or mangled; the name is spelt differently
            mangled = rng.choice(
                ("", ref.replace("-", ""), ref.lower()[:-1], f"TRX{rng.randrange(10**8)}")
            )
            bank_line(day, amount, currency, rng.choice(spellings), mangled)
            ledger_line(posted, amount, currency, master, ref)
        elif roll < 0.83:  # a bank fee or rounding makes the amounts differ
            fee = Decimal(rng.choice(("0.25", "0.50", "1.50", "2.00")))
            bank_line(day, amount - fee, currency, rng.choice(spellings), ref)
            ledger_line(posted, amount, currency, master, ref)
        elif roll < 0.88:  # one payment settles two or three ledger lines
            parts = rng.randrange(2, 4)
            cents = sorted(rng.sample(range(1, int(amount * 100)), parts - 1)) if amount > 1 else []
            pieces = [b - a for a, b in zip([0, *cents], [*cents, int(amount * 100)], strict=True)]
            bank_line(day, amount, currency, master, "")
            for k, piece in enumerate(pieces):
                ledger_line(
                    day - timedelta(days=rng.randrange(0, 4)),
                    Decimal(piece) / 100,
                    currency,
                    master,
                    f"{ref}/{k + 1}",
                )
        elif roll < 0.94:  # on the bank statement only
            bank_line(day, amount, currency, rng.choice(spellings), f"UNK{rng.randrange(10**6)}")
        else:  # in the ledger only
            ledger_line(posted, amount, currency, master, ref)
    for row in rng.sample(bank, max(1, n // 100)):  # a double import
        bank.append({**row, "id": f"B{len(bank) + 1:06d}"})
    return bank, ledger


def write_csv(rows: list[dict[str, str]], columns: tuple[str, ...], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
