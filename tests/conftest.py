"""Shared pytest configuration for behovxl.

* Tests marked ``libreoffice`` (marker declared in pyproject.toml) are
  skipped when soffice is missing, or fail when BEHOVXL_REQUIRE_LIBREOFFICE=1
  is set (CI sets it, see .ci/run).
* ``lo_recalc`` fixture: :func:`libreoffice.recalc`.
* With BEHOVXL_TEST_INSTALLED=1 (set by .ci/run) the session aborts unless
  ``behovxl`` is imported from an installed copy rather than the source tree.

There is deliberately no ``tests/__init__.py``: with it, pytest's default
"prepend" import mode would put the repository root on sys.path and the
source directory ``behovxl/`` would shadow the installed package. Helper
modules in this directory are importable because this file puts the
directory on sys.path (``from libreoffice import recalc``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent

if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

import libreoffice  # noqa: E402  (needs the sys.path entry above)


def _behovxl_origin() -> Path | None:
    try:
        spec = importlib.util.find_spec("behovxl")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin is not None:
        return Path(spec.origin).resolve()
    # Namespace package (no __init__.py): report its first directory.
    locations = list(spec.submodule_search_locations or [])
    return Path(locations[0]).resolve() if locations else None


def pytest_report_header(config: pytest.Config) -> list[str]:
    origin = _behovxl_origin()
    soffice = libreoffice.soffice_path()
    return [
        f"behovxl imported from: {origin if origin else 'NOT FOUND'}",
        f"soffice: {soffice if soffice else 'not found'}",
    ]


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("BEHOVXL_TEST_INSTALLED") != "1":
        return
    origin = _behovxl_origin()
    if origin is None:
        raise pytest.UsageError("BEHOVXL_TEST_INSTALLED=1 but behovxl is not importable")
    if origin.is_relative_to(REPO_ROOT / "behovxl"):
        raise pytest.UsageError(
            f"BEHOVXL_TEST_INSTALLED=1 but behovxl would be imported from the "
            f"source tree ({origin}), not the installed package. Is the repository "
            f"root on sys.path (python -m without PYTHONSAFEPATH=1, "
            f"tests/__init__.py, or a pythonpath ini option)?"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if libreoffice.soffice_path() is not None or libreoffice.libreoffice_required():
        return
    skip = pytest.mark.skip(reason=libreoffice.SKIP_REASON)
    for item in items:
        if item.get_closest_marker("libreoffice") is not None:
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # Only reached for marked tests when soffice exists, or is missing but
    # required (otherwise they were skipped above). In the latter case fail
    # in the call phase so pytest reports FAILED, not a setup ERROR.
    if item.get_closest_marker("libreoffice") is not None:
        libreoffice.require_libreoffice()


@pytest.fixture
def lo_recalc(request: pytest.FixtureRequest):
    """The :func:`libreoffice.recalc` function.

    In a test marked ``libreoffice`` the marker handling above takes care of
    a missing soffice; in an unmarked test the fixture itself skips (or fails
    when BEHOVXL_REQUIRE_LIBREOFFICE=1).
    """
    if request.node.get_closest_marker("libreoffice") is None:
        libreoffice.require_libreoffice()
    return libreoffice.recalc
