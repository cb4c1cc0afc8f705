#!/usr/bin/env bash
# Render the README pictures in docs/ from the example workbooks, as they print.
#
#   docs/make_pictures.sh        (run from anywhere; needs soffice and pdftoppm/pdftotext/pdfinfo)
#
# Run examples/make_examples.py first. Each workbook is converted to PDF by
# LibreOffice headless with a throw-away profile that recalculates formulas on
# load (OOXMLRecalcMode 0), so the pictures show what a spreadsheet program
# computes from the cells, not the cached values stored in the file; the profile
# also sets the Norwegian locale, so amounts print as "406 644 kr". The page of a
# sheet is found by its name in the page header (the form prints the sheet name
# at the top right of every page), then that one page becomes a PNG at 80 dpi.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RETURNED=examples/returned/2027
RANA="$RETURNED/2027-01-31 behovsmelding-2027-kompetansenettverk-indre-helgeland.xlsx"
LOFOTEN="$RETURNED/2027-01-30 behovsmelding-2027-kompetansenettverk-lofoten.xlsx"
SALTEN="$RETURNED/2027-01-29 behovsmelding-2027-kompetansenettverk-salten.xlsx"
REGIONAL=examples/regional.xlsx
BEHOVXL=${BEHOVXL:-behovxl}
DPI=80

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profile/user" "$work/pdf"
cat > "$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>nb-NO</value></prop></item>
</oor:items>
XCU

# to_pdf WORKBOOK -> prints the path of its PDF
to_pdf() {
    soffice --headless --norestore "-env:UserInstallation=file://$work/profile" \
        --convert-to pdf --outdir "$work/pdf" "$1" >/dev/null 2>&1
    local pdf
    pdf="$work/pdf/$(basename "${1%.*}").pdf"
    [ -f "$pdf" ] || { echo "LibreOffice did not convert $1" >&2; return 1; }
    echo "$pdf"
}

# page_of PDF SHEET -> prints the number of the first page whose header ends with SHEET
page_of() {
    local pdf=$1 sheet=$2 pages page head
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    for page in $(seq 1 "$pages"); do
        head=$(pdftotext -f "$page" -l "$page" -layout "$pdf" - | grep -m1 -v '^[[:space:]]*$' || true)
        if [[ "$head" =~ [[:space:]]"$sheet"[[:space:]]*$ ]]; then
            echo "$page"
            return 0
        fi
    done
    echo "no page with the header «$sheet» in $pdf" >&2
    return 1
}

# picture PDF SHEET OUT.png: the first page of SHEET as a PNG
picture() {
    local pdf=$1 sheet=$2 out=$3 page
    page=$(page_of "$pdf" "$sheet")
    pdftoppm -r "$DPI" -png -f "$page" -l "$page" -singlefile "$pdf" "${out%.png}"
    echo "$out: «$sheet», page $page of $(basename "$pdf")"
}

rana=$(to_pdf "$RANA")
lofoten=$(to_pdf "$LOFOTEN")
salten=$(to_pdf "$SALTEN")
regional=$(to_pdf "$REGIONAL")
picture "$salten" "Tiltak 1" docs/measure-sheet.png
picture "$rana" "Partnerskap" docs/partnership.png
picture "$lofoten" "Oppsummering" docs/summary.png
picture "$lofoten" "Partnarskap" docs/nynorsk.png
picture "$regional" "Oversikt" docs/regional-overview.png
picture "$regional" "Innstilling" docs/innstilling.png

# the feedback workbook comes from the demo's round
"$BEHOVXL" demo "$work/demo" >/dev/null
feedback=$(to_pdf "$work/demo/5-tilbakemelding/behovsmelding-2027-kompetansenettverk-lofoten-tilbakemelding.xlsx")
picture "$feedback" "Tilbakemelding" docs/feedback.png
