"""README and docs stay true: commands, generated tables, CI."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from behovxl.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.*)"$', ci, re.M).group(1)
    assert f"```sh\n{command}\n```" in README


def test_readme_has_the_main_job_command():
    assert "```sh\npython3 -m venv .venv && .venv/bin/pip install . && .venv/bin/behovxl demo\n```" in README


def test_every_command_appears_in_the_readme():
    for name in main.commands:
        assert f"behovxl {name}" in README, name


def _generated(args: list[str]) -> str:
    return CliRunner().invoke(main, args).output


def test_data_dictionary_doc_matches_the_code():
    doc = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert doc.endswith(_generated(["fields", "--markdown", "--year", "2026"]))


def test_checks_catalogue_doc_matches_the_code():
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert doc.endswith(_generated(["checks", "--format", "markdown"]))


def test_pictures_exist():
    for name in ("measure-sheet.png", "summary.png", "regional-overview.png"):
        assert (ROOT / "docs" / name).stat().st_size > 10_000
        assert f"docs/{name}" in README
