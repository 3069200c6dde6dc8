"""Small CSV files for the API tests."""

from __future__ import annotations

from tests.jobs.seed import RULES as SEEDED_RULES

BANK_CSV = (
    "id,booking_date,amount,reference,counterparty\n"
    'B1,2026-03-01,"1,234.56",INV-1,Acme Ltd\n'
    "B2,2026-03-02,99.90,INV-2,Globex GmbH\n"
    "B3,2026-03-03,(12.00),,Initech\n"
    "B4,2026-03-04,500.00,INV-4,Umbrella plc\n"
)
LEDGER_CSV = (
    "id,posted_date,amount,doc_ref,vendor_name\n"
    "L1,2026-03-02,1234.56,INV-1,ACME Limited\n"
    "L2,2026-03-02,99.90,INV-2,Globex\n"
    "L3,2026-03-05,-12.00,X-3,Initech\n"
    "L9,2026-03-09,77.00,INV-9,Hooli\n"
)
MALFORMED_CSV = (
    "id,booking_date,amount\nB1,2026-03-01,10.00\nB2,2026-03-02,12.50\nB3,2026-03-03,ten pounds\n"
)
# The same rules as the seeded jobs: bank (left) against ledger (right).
RULES = SEEDED_RULES
