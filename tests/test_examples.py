"""The committed example workbooks: made by examples/make_examples.py, and read back as intended.

If a test here fails after a change to behovxl, run
`python examples/make_examples.py` and commit what it writes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from behovxl.generate import load_report_file, safe_file_name
from behovxl.layout import build_layout
from behovxl.reader import identify, read_workbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RETURNED = EXAMPLES / "returned"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_examples = _load_script()


def _returned(report_file: str) -> Path:
    report = load_report_file(EXAMPLES / "reports" / report_file)
    return RETURNED / safe_file_name(report.network_id or report.partnership.network, report.year)


def _found(result) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.sheet, f.cell) for f in result.findings}


def _at_input(layout, code: str, path: str) -> tuple[str, str, str]:
    spec = layout.inputs[path]
    return (code, spec.sheet, spec.cell)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples")
    make_examples.main(["--out", str(out)])
    return out


def _read(report_file: str):
    """The findings of a returned example workbook, and the layout of its form."""
    path = _returned(report_file)
    return read_workbook(path), build_layout(identify(path))


@pytest.fixture(scope="module")
def lofoten():
    return _read(make_examples.FAULTY_REPORT)


# ---------------------------------------------------------------- the files


def test_script_writes_the_committed_files(made: Path) -> None:
    produced = sorted(p.name for p in (made / "returned").iterdir())
    committed = sorted(p.name for p in RETURNED.glob("*.xlsx"))
    assert produced == committed
    assert len(produced) == len(list((EXAMPLES / "reports").glob("*.json")))
    for name in produced:
        assert (made / "returned" / name).read_bytes() == (RETURNED / name).read_bytes(), (
            f"examples/returned/{name} differs from what examples/make_examples.py writes"
        )


def test_script_writes_the_committed_regional_overview(made: Path) -> None:
    committed = EXAMPLES / make_examples.REGIONAL_NAME
    produced = made / make_examples.REGIONAL_NAME
    assert produced.exists() == committed.exists()
    if committed.exists():
        assert produced.read_bytes() == committed.read_bytes()


# ---------------------------------------------------------------- what the reader finds


def test_lofoten_mistakes_are_found(lofoten) -> None:
    result, layout = lofoten
    text_cell = layout.inputs[make_examples.TEXT_AMOUNT_PATH]
    formula_cell = layout.formulas[make_examples.REPLACED_FORMULA_KEY]
    expected = {
        ("text-number", text_cell.sheet, text_cell.cell),
        ("formula-replaced", formula_cell.sheet, formula_cell.cell),
        _at_input(layout, "declared-count", "declared_measures"),
        _at_input(layout, "cofunding-low", "measures.2.cofunding"),
        _at_input(layout, "coordinator-unused", "coordinator.kompetanseloftet.amount"),
    }
    assert expected <= _found(result)
    assert result.status == "errors"


def test_lofoten_mistakes_are_at_the_sheets_the_brief_names(lofoten) -> None:
    result, layout = lofoten
    form = layout.form
    by_code = {f.code: f for f in result.findings}
    assert by_code["declared-count"].sheet == form.sheet("partnership")
    assert by_code["formula-replaced"].sheet == form.sheet("summary")
    assert by_code["text-number"].expected == 120_000
    assert by_code["formula-replaced"].found == 700_000 + make_examples.REPLACED_FORMULA_ERROR
    assert by_code["formula-replaced"].expected == 700_000


def test_rana_continuation_in_thousands_and_totals() -> None:
    result, layout = _read("indre-helgeland-rana.json")
    expected = {_at_input(layout, "continuation-thousands", f"measures.1.continuation.{i}.owner") for i in (1, 2, 3)}
    assert expected <= _found(result)
    assert sum(m.uh_amount for m in result.report.measures) == 926_519
    assert sum(m.owner_amount for m in result.report.measures) == 530_000


def test_clean_examples_have_no_errors() -> None:
    for report_file in ("salten.json", "ytre-helgeland.json"):
        result, _ = _read(report_file)
        assert result.status == "ok", [(f.code, f.sheet, f.cell) for f in result.findings]
