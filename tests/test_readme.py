"""README and the user guide stay true: every console example is what the command prints.

In the way sqlite-utils checks its docs: each ```console block is run, command by command,
in one scratch folder per document (where `examples/` is the repository's), and what each
command prints (standard output and standard error, in the order written) must be exactly
the lines below it (a no-break space counts as a space). The "From Python" block is run too and must print the ```text block
after it. The generated reference docs must be what the commands print now.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from behovxl.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "brukerveiledning.md").read_text(encoding="utf-8")
DOCS = {"README.md": README, "docs/brukerveiledning.md": GUIDE}


def console_blocks(text: str) -> list[list[tuple[str, str]]]:
    """Each ```console block as (command, expected output) pairs."""
    out = []
    for block in re.findall(r"^```console\n(.*?)^```$", text, re.M | re.S):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before any command in a console block:\n{block}"
                steps[-1][1].append(line)
        out.append([(command, "\n".join(lines)) for command, lines in steps])
    return out


def behovxl_executable() -> str:
    found = Path(sys.executable).with_name("behovxl.exe" if os.name == "nt" else "behovxl")
    return str(found) if found.exists() else shutil.which("behovxl") or "behovxl"


def scratch(tmp_path: Path) -> Path:
    link = tmp_path / "examples"
    try:
        link.symlink_to(ROOT / "examples", target_is_directory=True)
    except OSError:  # Windows without the right to make links
        shutil.copytree(ROOT / "examples", link)
    return tmp_path


def run_console(command: str, cwd: Path) -> str:
    words = shlex.split(command)
    assert words[0] == "behovxl", f"a console example runs behovxl, not {words[0]}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([behovxl_executable(), *words[1:]], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=600)
    return visible(done.stdout.decode("utf-8").rstrip("\n"))


def visible(text: str) -> str:
    """Text as a reader sees it: the no-break spaces between digits and before «kr» as spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_console_examples_are_what_the_commands_print(doc: str, tmp_path: Path) -> None:
    blocks = console_blocks(DOCS[doc])
    assert blocks, f"{doc} has no console example"
    cwd = scratch(tmp_path)
    for block in blocks:
        for command, expected in block:
            got = run_console(command, cwd)
            assert got == expected, f"{doc}: «$ {command}» printed:\n{got}"


def test_the_from_python_section_runs_and_prints_its_table(tmp_path: Path) -> None:
    section = README.split("## From Python", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"^```python\n(.*?)^```$", section, re.M | re.S).group(1)
    expected = re.search(r"^```text\n(.*?)^```$", section, re.M | re.S).group(1)
    cwd = Path.cwd()
    printed = io.StringIO()
    try:
        os.chdir(scratch(tmp_path))
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md (From Python)", "exec"), {"__name__": "readme"})
    finally:
        os.chdir(cwd)
    assert visible(printed.getvalue()) == expected
    assert (tmp_path / "regional-2027.xlsx").is_file() and (tmp_path / "regional-2027.json").is_file()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.*)"$', ci, re.M).group(1)
    assert f"```sh\n{command}\n```" in README


def test_readme_has_the_main_job_command() -> None:
    assert "```sh\npython3 -m venv .venv && .venv/bin/pip install . && .venv/bin/behovxl demo\n```" in README
    assert "py -m venv .venv && .venv\\Scripts\\pip install . && .venv\\Scripts\\behovxl demo" in README


def test_every_command_appears_in_the_readme_and_the_guide() -> None:
    for name in main.commands:
        assert f"behovxl {name}" in README, name
        assert f"behovxl {name}" in GUIDE, name


def _generated(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_data_dictionary_doc_matches_the_code() -> None:
    doc = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    for year in ("2026", "2027"):
        assert _generated(["fields", "--markdown", "--year", year]) in doc, f"docs/fields.md is stale for {year}"


def test_checks_catalogue_doc_matches_the_code() -> None:
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert doc.endswith(_generated(["checks", "--format", "markdown"]))


def test_pictures_exist_and_are_shown() -> None:
    for name in ("measure-sheet.png", "summary.png", "regional-overview.png", "innstilling.png"):
        assert (ROOT / "docs" / name).stat().st_size > 10_000
        assert f"docs/{name}" in README
    for name in re.findall(r"\]\((bilder/[^)]+|[a-z-]+\.png)\)", GUIDE):
        assert (ROOT / "docs" / name).is_file(), name


def test_the_benchmark_table_is_filled_in() -> None:
    assert "BENCHMARK_TABLE" not in README
    section = README.split("## Performance", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^\| *consolidate.*\|$", section, re.M), "the benchmark's table belongs in README"
