#!/usr/bin/env python3
"""Writes a products file of N rows (valid EAN-13 codes, the demo's categories) as CSV and as
XLSX (a minimal workbook, inline strings), for bench/imports.sh."""
import csv
import sys
import zipfile
from xml.sax.saxutils import escape


def ean13(body):
    digits = str(body).zfill(12)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def rows(n, bump=0):
    yield ["Name", "SKU", "Category", "Barcode", "Cost price", "Base price", "Discount price",
           "Minimum stock", "Serial tracked", "Active"]
    cats = ["Accessory", "Laptop", "Android", "iPhone", "Printer"]
    for i in range(n):
        base = 100 + (i * 37) % 9000 + bump
        yield [f"Imported item {i:05d}", f"IMP-{i:05d}", cats[i % len(cats)],
               ean13(481_000_000_000 + i), f"{base * 0.8:.2f}", f"{base:.2f}",
               f"{base * 0.9:.2f}" if i % 10 == 0 else "", str(i % 7), "no", "yes"]


def write_xlsx(path, data):
    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s
    sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(data, start=1):
        cells = "".join(f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
                        for c, v in enumerate(row) if v != "")
        sheet.append(f'<row r="{r}">{cells}</row>')
    sheet.append("</sheetData></worksheet>")
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{doc}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{doc}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))


if __name__ == "__main__":
    out, n = sys.argv[1], int(sys.argv[2])
    data = list(rows(n))
    with open(out + ".csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(data)
    write_xlsx(out + ".xlsx", data)
    # The same products, every price one peso higher: an import of updates.
    with open(out + "-repriced.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows(n, bump=1))
