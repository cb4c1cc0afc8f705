"""behovxl: the yearly behovsmelding round in Excel.

generate a locked form per network, read returned workbooks into reports, check
that every figure reconciles, and consolidate them into one regional workbook.
"""

__version__ = "0.1.0"
