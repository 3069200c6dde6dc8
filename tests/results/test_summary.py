"""The summary over HTTP equals the figures computed independently from the stored rows."""

from __future__ import annotations

from tests.results.support import World, db_rows, expected_summary, summary_figures


def test_summary_figures_equal_those_computed_from_the_rows(world: World) -> None:
    summary = world.get("/summary")
    rows = db_rows(world.db_url, world.job_id)
    assert summary_figures(summary) == expected_summary(rows, records=300)
    assert summary["job_id"] == str(world.job_id)
    # The engine's own summary of the run is passed along, and agrees on what it counts.
    engine = summary["engine"]
    assert engine["stored_results"] == len(rows)
    assert engine["matches"] == sum(
        summary["by_match_status"][s]["results"] for s in ("auto", "suggested")
    )
    assert summary["unmatched"]["left"]["records"] == engine["unmatched"]["left"]["records"]
    assert set(summary["by_kind"]) >= {"matched", "matched_with_differences", "unmatched_left"}
    assert 0 < summary["auto_match_rate"]["left"] < summary["match_rate"]["left"] <= 1
