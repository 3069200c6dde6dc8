"""`accord inspect`: schema, sample and problems in tables; exit codes a script can use."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from accord.cli.inspect import EXIT_BAD_DATA, EXIT_NO_INPUT, register


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """Keep `inspect` a subcommand."""

    return app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_app(), ["inspect", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_clean_file_shows_schema_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;booked;amount\nB1;05/01/2024;1.234,50\nB2;31/01/2024;-3,00\n")
    code, output = run(str(path))
    assert code == 0
    assert "a.csv: csv, 2 rows" in output
    assert "decimal" in output
    assert "1.234,56" in output
    assert "%d/%m/%Y" in output
    assert "1234.50" in output
    assert "No problems found." in output


def test_problems_are_listed_with_row_and_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("when,amount\n2024-01-05,1.00\n2024-02-30,2.00\n2024-01-07,3.00\n")
    code, output = run(str(path))
    assert code == EXIT_BAD_DATA
    assert "Problems" in output
    assert "2024-02-30" in output
    assert "is not a date" in output


def test_ambiguous_dates_are_a_problem_and_the_mapping_resolves_them(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("when\n01/02/2024\n03/04/2024\n")
    code, output = run(str(path))
    assert code == EXIT_BAD_DATA
    assert "give the format" in output
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  when: {format: dd/mm/yyyy}\n")
    code, output = run(str(path), "--mapping", str(mapping))
    assert code == 0, output
    assert "2024-02-01" in output


def test_delimiter_and_encoding_options(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes("name\tcity\nK\xe4se\tK\xf6ln\n".encode("latin-1"))
    code, output = run(str(path), "--delimiter", "\\t", "--encoding", "latin-1")
    assert code == 0, output
    assert "Käse" in output


def test_unreadable_file_exits_non_zero(tmp_path: Path) -> None:
    code, _ = run(str(tmp_path / "missing.csv"))
    assert code == EXIT_NO_INPUT


def test_registered_in_the_accord_app() -> None:
    from accord.cli import COMMAND_MODULES

    assert "inspect" in COMMAND_MODULES


def test_inspect_widens_like_the_import(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("amount\n" + "100\n" * 10_050 + "12.50\n")
    code, output = run(str(path))
    assert code == 0, output
    assert "typed as decimal" in output


def test_malformed_csv_is_unreadable_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n")
    code, output = run(str(path))
    assert code == EXIT_NO_INPUT
    assert "ragged.csv, line 3" in output


def test_malformed_text_only_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("a,b\n" + "x,y\n" * 100 + "z\n")
    code, _ = run(str(path))
    assert code == EXIT_NO_INPUT
