"""The reconciliation engine: rules as data, compiled to DuckDB SQL over Arrow tables.

    from accord.engine import load_rules, reconcile, write_results
    result = reconcile(left_table, right_table, load_rules("rules.yaml"))
    write_results(result, "out/", "parquet")

No web framework and no ORM in here: the CLI and the service's worker both call this.
"""

from accord.engine.results import OutputFormat, ReconcileResult, write_results
from accord.engine.rules import MatchPass, RuleSet, load_rules, parse_rules, rules_json_schema
from accord.engine.run import ProgressCallback, reconcile
from accord.engine.workspace import RulesDataMismatch

__all__ = [
    "MatchPass",
    "OutputFormat",
    "ProgressCallback",
    "ReconcileResult",
    "RuleSet",
    "RulesDataMismatch",
    "load_rules",
    "parse_rules",
    "reconcile",
    "rules_json_schema",
    "write_results",
]
