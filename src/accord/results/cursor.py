"""Opaque keyset cursors over (sort value, id): the position after the last result of a page.

A cursor names the sort it belongs to, so one taken from a listing sorted by score cannot be
replayed against a listing sorted by amount. `in_nulls` marks a position among the results
that have no value to sort on; those come after every valued result, in either direction.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from accord.errors import BadRequest

SortKey = Literal["id", "score", "amount"]
SortOrder = Literal["asc", "desc"]
SortValue = float | Decimal | None

_NOT_OURS = "The cursor is not one this listing returned; start again without it."


@dataclass(frozen=True)
class Cursor:
    sort: SortKey
    order: SortOrder
    value: SortValue
    id: int
    in_nulls: bool

    def encode(self) -> str:
        value = str(self.value) if isinstance(self.value, Decimal) else self.value
        raw = json.dumps([self.sort, self.order, value, self.id, self.in_nulls])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: SortKey, order: SortOrder) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            got_sort, got_order, value, row_id, in_nulls = json.loads(raw)
            parsed: SortValue = None
            if value is not None:
                parsed = Decimal(value) if sort == "amount" else float(value)
            if not isinstance(row_id, int) or not isinstance(in_nulls, bool):
                raise ValueError(_NOT_OURS)
        except (ValueError, TypeError, InvalidOperation, binascii.Error):
            raise BadRequest(_NOT_OURS) from None
        if (got_sort, got_order) != (sort, order):
            raise BadRequest(
                f"The cursor belongs to a listing sorted by {got_sort} {got_order}; "
                f"ask with sort={got_sort}&order={got_order}, or start again without it."
            )
        return cls(sort, order, parsed, row_id, in_nulls)
