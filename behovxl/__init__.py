"""behovxl: the yearly behovsmelding round in Excel.

Generate a locked form per network, read returned workbooks into reports, check that
every figure reconciles, consolidate them into one regional workbook, and read the
forum's innstilling back. The functions here are the public API (see README, "From
Python"); `behovxl --help` is the same work from the command line.
"""

from .api import check, consolidate, generate, innstilling, read, write_regional
from .consolidate import Consolidation, Network, Source, Status
from .errors import BehovxlError
from .findings import Finding, Severity
from .innstilling import Allocation
from .models import Measure, Report
from .pipeline import ReadResult

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "BehovxlError",
    "Consolidation",
    "Finding",
    "Measure",
    "Network",
    "ReadResult",
    "Report",
    "Severity",
    "Source",
    "Status",
    "__version__",
    "check",
    "consolidate",
    "generate",
    "innstilling",
    "read",
    "write_regional",
]
