"""The committed examples are what examples/make_examples.py writes, and they read back as intended.

If a test here fails after a change to behovxl, run `python examples/make_examples.py`
and commit what it writes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers import EXAMPLES, found
from xlsxdiff import assert_same_xlsx

from behovxl.pipeline import read


def _load_script():
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_examples = _load_script()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    make_examples.main(["--out", str(out)])
    return out


def _files(root: Path) -> list[str]:
    """What the script writes: the returned workbooks, this year's reports and the regional workbook."""
    written = [*root.glob("returned/*/*"), *root.glob("reports/2027/*.json"), root / "regional.xlsx"]
    return sorted(p.relative_to(root).as_posix() for p in written if p.is_file())


def test_script_writes_the_committed_files(made: Path) -> None:
    produced, committed = _files(made), _files(EXAMPLES)
    assert produced == committed
    for rel in produced:
        got, want = (made / rel).read_bytes(), (EXAMPLES / rel).read_bytes()
        if rel.endswith(".xlsx"):
            assert_same_xlsx(got, want, f"examples/{rel}")
        assert got == want, f"examples/{rel} differs from what examples/make_examples.py writes"


def _read(name: str):
    path = next((EXAMPLES / "returned" / "2027").glob(f"*{name}*"))
    return read(path)


def test_rana_holds_the_seed_mistakes_at_their_cells():
    result = _read("indre-helgeland")
    assert found(result) == {
        ("coordinator-double-counted", "Tiltak 5", "B5"),
        ("required-missing", "Partnerskap", "B92"),
        ("text-number", "Tiltak 1", "A29"),
        ("continuation-thousands", "Tiltak 1", "B69"),
        ("continuation-thousands", "Tiltak 1", "B74"),
    }
    double = next(f for f in result.findings if f.code == "coordinator-double-counted")
    # The workbook's own totals: «60 tusen» is text, which the spreadsheet's sums leave out.
    assert "totalsummen er 1\u00a0596\u00a0519 kr med tiltaket og 1\u00a0496\u00a0519 kr uten" in double.message
    assert "riktig" not in double.message
    assert result.report.measure(1).owner_lines[0].amount == 60000


def test_lofoten_is_checked_in_nynorsk():
    result = _read("lofoten")
    assert result.language == "nn"
    assert {f.code for f in result.findings} == {"declared-count", "coordinator-unused", "formula-replaced", "text-number"}
    bokmal = {"ikke", "skrevet", "overskrevet", "ordningen", "trenger", "antall"}
    assert not [f.message for f in result.findings if bokmal & set(f.message.replace(".", " ").split())]


@pytest.mark.parametrize("name", ["salten", "ytre-helgeland", "vesteralen"])
def test_clean_returns_are_clean(name):
    assert _read(name).findings == []
