"""Type values into a workbook through LibreOffice's own API (UNO) and save it as xlsx.

Run by Debian's python3, which has the `uno` module (package python3-uno):

    /usr/bin/python3 tests/lo_fill.py IN.xlsx EDITS.json OUT.xlsx

EDITS.json is a list of {"sheet", "cell", "value"}; a string value is typed as text,
a number as a number. This is what a network does in LibreOffice Calc, except that
the API, like a paste, is not stopped by data validation.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.5)
    raise SystemExit("LibreOffice did not start")


def main(src, edits_path, out):
    edits = json.load(open(edits_path, encoding="utf-8"))
    profile = tempfile.mkdtemp()
    pipe = "behovxl_" + uuid.uuid4().hex
    proc = subprocess.Popen(["soffice", "--headless", "--norestore", "--nologo", f"-env:UserInstallation=file://{profile}",
                             f"--accept=pipe,name={pipe};urp;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx = _connect(pipe)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (_prop("Hidden", True),))
        for edit in edits:
            cell = doc.Sheets.getByName(edit["sheet"]).getCellRangeByName(edit["cell"])
            if isinstance(edit["value"], str):
                cell.setString(edit["value"])
            else:
                cell.setValue(edit["value"])
        doc.calculateAll()
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main(*sys.argv[1:4])
