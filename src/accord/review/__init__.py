"""Reviewing a job's results: confirm, reject, manual match, unmatch, bulk actions and notes.

Every decision is stored as a `ReviewDecision` (so a re-run of the same rule set over the same
data sets honours it) and appended to the audit trail, in the request's unit of work.
"""
