"""JSON as behovxl writes it, streamed: a long list is written item by item, never held whole.

The bytes are those of `json.dumps(fields, ensure_ascii=False, indent=2, default=str)` and a
newline, so a streamed file and one made in memory are the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO


def write_json(fh: BinaryIO, fields: Mapping[str, Any]) -> None:
    """Write the object `fields`; a value that is an iterator is written as a list, one item at a time."""
    fh.write(b"{")
    for i, (key, value) in enumerate(fields.items()):
        fh.write(f"{',' if i else ''}\n  {_text(key, 2)}: ".encode())
        if isinstance(value, Iterator):
            _write_list(fh, value)
        else:
            fh.write(_text(value, 2).encode())
    fh.write(b"\n}\n" if fields else b"}\n")


def _write_list(fh: BinaryIO, items: Iterator[Any]) -> None:
    first = True
    for item in items:
        fh.write(f"{'[' if first else ','}\n    {_text(item, 4)}".encode())
        first = False
    fh.write(b"[]" if first else b"\n  ]")


def _text(value: Any, depth: int) -> str:
    # JSON text holds no raw newline (json escapes it), so every newline is an indentation point.
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n" + " " * depth)
