"""`accord demo`: a realistic bank-vs-ledger reconciliation, end to end, on one command."""
