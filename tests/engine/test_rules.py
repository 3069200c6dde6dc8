"""The rules document: what validates, and how each problem is explained."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from accord.engine import parse_rules, rules_json_schema
from accord.engine.rules_errors import check_rules_text

VALID = """
left: {id: id}
right: {id: id}
passes:
  - name: ref
    conditions: [{type: equal, left: ref, right: ref}]
"""


def problems(text: str) -> list[str]:
    ruleset, found = check_rules_text(text)
    assert ruleset is None
    return found


def test_minimal_document_is_valid_and_json_works_too() -> None:
    ruleset = parse_rules(VALID)
    assert ruleset.passes[0].cardinality == "one_to_one"
    assert ruleset.passes[0].action == "auto"
    as_json = json.dumps(
        {
            "left": {"id": "id"},
            "right": {"id": "id"},
            "passes": [{"name": "x", "conditions": [{"type": "equal", "left": "a", "right": "b"}]}],
        }
    )
    assert parse_rules(as_json).passes[0].name == "x"


def test_misspelt_key_gets_a_suggestion() -> None:
    text = VALID.replace(
        "{type: equal, left: ref, right: ref}",
        "{type: equal, left: ref, right: ref, normalizer: text}",
    )
    assert problems(text) == [
        "passes[0].conditions[0].normalizer: unknown key 'normalizer'; did you mean 'normaliser'?"
    ]


def test_threshold_out_of_range_names_place_and_value() -> None:
    text = VALID.replace(
        "{type: equal, left: ref, right: ref}",
        "{type: equal, left: ref, right: ref}, {type: similar, left: n, right: n, threshold: 1.5}",
    )
    [problem] = problems(text)
    assert problem.startswith("passes[0].conditions[1].threshold:")
    assert "1.5" in problem


def test_unknown_condition_type_lists_the_known_ones() -> None:
    text = VALID.replace("type: equal", "type: fuzzy")
    known = "equal, equal_any, tolerance, date_window, similar"
    assert problems(text) == [f"passes[0].conditions[0]: 'type' must be one of {known}"]


def test_missing_required_field() -> None:
    assert "left.id: required, but missing" in problems(
        VALID.replace("left: {id: id}", "left: {name: bank}")
    )


def test_reversed_date_window() -> None:
    text = VALID.replace(
        "{type: equal, left: ref, right: ref}",
        "{type: equal, left: ref, right: ref}, "
        "{type: date_window, left: d, right: d, min_days: 3, max_days: 0}",
    )
    assert problems(text) == ["passes[0].conditions[1]: min_days (3) is after max_days (0)"]


def test_similarity_alone_cannot_find_candidates() -> None:
    text = VALID.replace(
        "{type: equal, left: ref, right: ref}", "{type: similar, left: n, right: n, threshold: 0.9}"
    )
    [problem] = problems(text)
    assert "needs at least one equal, equal_any, near, tolerance or date_window" in problem


def test_group_pass_needs_group_and_one_to_one_refuses_it() -> None:
    many = VALID.replace("- name: ref", "- name: ref\n    cardinality: one_to_many")
    assert "needs a 'group' with a 'sum'" in problems(many)[0]


def test_many_to_many_takes_equal_conditions_only() -> None:
    many = VALID.replace(
        "- name: ref",
        "- name: ref\n    cardinality: many_to_many\n    group: {sum: {left: a, right: a}}",
    )
    assert parse_rules(many).passes[0].cardinality == "many_to_many"
    windowed = many.replace(
        "{type: equal, left: ref, right: ref}",
        "{type: equal, left: ref, right: ref}, {type: date_window, left: d, right: d}",
    )
    [problem] = problems(windowed)
    assert "compares the groups' sums only; remove its date_window condition(s)" in problem


def test_repeated_pass_names_and_unknown_normaliser() -> None:
    twice = (
        VALID
        + """  - name: ref
    conditions: [{type: equal, left: ref, right: ref}]
"""
    )
    assert "repeated: ref" in problems(twice)[0]
    unknown = VALID.replace("right: ref}", "right: ref, normaliser: fancy}")
    assert "unknown normaliser 'fancy'" in problems(unknown)[0]


def test_yaml_syntax_error_has_a_line() -> None:
    [problem] = problems("left: {id: id\nright: [")
    assert problem.startswith("line ")


def test_json_schema_is_published() -> None:
    schema = rules_json_schema()
    assert schema["title"] == "Accord rules"
    assert {"left", "right", "passes"} <= set(schema["properties"])
    with pytest.raises(ValidationError):
        parse_rules("left: {id: id}\nright: {id: id}\npasses: []\n")


def test_near_allows_one_or_two_edits() -> None:
    text = VALID.replace(
        "{type: equal, left: ref, right: ref}",
        "{type: near, left: ref, right: ref, max_edits: 3}",
    )
    [problem] = problems(text)
    assert "max_edits: Input should be less than or equal to 2" in problem
    ruleset = parse_rules(text.replace("max_edits: 3", "max_edits: 2"))
    assert ruleset.passes[0].conditions[0].type == "near"
