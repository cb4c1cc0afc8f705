"""Outputs made while they are written: streamed JSON and CSV are the bytes made in memory,
and a content function that fails leaves nothing behind."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from behovxl.consolidate import consolidate
from behovxl.files import TEMP_PREFIX, Output, write_outputs
from behovxl.jsonfile import write_json
from behovxl.regional import regional_bytes, write_regional
from behovxl.tabular import consolidation_json, csv_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "returned"

_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@given(st.dictionaries(st.text(max_size=8), st.tuples(_values, st.booleans()), max_size=6))
@settings(max_examples=300, deadline=None)
def test_streamed_json_is_json_dumps(fields: dict[str, tuple[Any, bool]]) -> None:
    """A list given as an iterator is written item by item, and the bytes are json.dumps's."""
    plain = {k: v for k, (v, _) in fields.items()}
    lazy = {k: iter(v) if isinstance(v, list) and streamed else v for k, (v, streamed) in fields.items()}
    buffer = io.BytesIO()
    write_json(buffer, lazy)
    assert buffer.getvalue().decode() == json.dumps(plain, ensure_ascii=False, indent=2) + "\n"


@pytest.fixture(scope="module")
def round_2027():  # type: ignore[no-untyped-def]
    return consolidate(EXAMPLES / "2027", jobs=1)


def test_written_outputs_are_the_outputs_made_in_memory(round_2027: Any, tmp_path: Path) -> None:
    xlsx, data, csv = tmp_path / "r.xlsx", tmp_path / "r.json", tmp_path / "csv"
    write_regional(round_2027, xlsx, data, csv)
    assert xlsx.read_bytes() == regional_bytes(round_2027)
    assert data.read_bytes() == consolidation_json(round_2027)
    files = csv_files(round_2027)
    assert sorted(p.name for p in csv.iterdir()) == sorted(files)
    assert all((csv / name).read_bytes() == content for name, content in files.items())


def test_a_content_function_that_fails_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_bytes(b"old a")

    def broken(fh: BinaryIO) -> None:
        fh.write(b"half")
        raise RuntimeError("a bug while writing")

    with pytest.raises(RuntimeError):
        write_outputs([Output(first, b"new a"), Output(second, broken)])
    assert first.read_bytes() == b"old a"
    assert not second.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
