#!/usr/bin/env python3
"""csv2xlsx.py OUT.xlsx [SHEET=]FILE.csv ... -- a workbook of CSV files, one sheet each.

Written with the standard library only (zipfile and hand-written XML, as Excel lays a
workbook out), so that the tests read workbooks made by a writer other than qs's own:
every value is a shared string, so codes keep their zeros; an empty CSV field is no cell
(as Excel leaves it). The first sheet is named Sheet1 unless SHEET= says otherwise.
"""
import csv
import sys
import zipfile
from xml.sax.saxutils import escape, quoteattr

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'


def col(n):
    s = ''
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def text(v):
    # Excel writes characters XML 1.0 cannot hold (and CR, so it survives) as _xHHHH_.
    out = []
    for ch in v:
        if ch == '\r' or (ord(ch) < 32 and ch not in '\t\n'):
            out.append('_x%04X_' % ord(ch))
        else:
            out.append(ch)
    return escape(''.join(out))


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    sst, idx, sheets = [], {}, []
    for k, spec in enumerate(specs, 1):
        name, _, path = spec.rpartition('=')
        name = name or 'Sheet%d' % k
        with open(path, encoding='utf-8-sig', newline='') as f:
            rows = list(csv.reader(f))
        xml = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, v in enumerate(row, 1):
                if v == '':
                    continue
                if v not in idx:
                    idx[v] = len(sst)
                    sst.append(v)
                cells.append('<c r="%s%d" t="s"><v>%d</v></c>' % (col(c), r, idx[v]))
            xml.append('<row r="%d">%s</row>' % (r, ''.join(cells)))
        sheets.append((name, ''.join(xml)))
    z = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)
    z.writestr('[Content_Types].xml',
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
               '<Default Extension="xml" ContentType="application/xml"/></Types>')
    z.writestr('_rels/.rels',
               '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" '
               'Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
    z.writestr('xl/workbook.xml',
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<workbook xmlns="%s" xmlns:r="%s"><sheets>%s</sheets></workbook>' %
               (NS, REL, ''.join('<sheet name=%s sheetId="%d" r:id="rId%d"/>' %
                                 (quoteattr(n), i, i) for i, (n, _) in enumerate(sheets, 1))))
    rels = ''.join('<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>'
                   % (i, REL, i) for i in range(1, len(sheets) + 1))
    rels += '<Relationship Id="rId%d" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % (
        len(sheets) + 1, REL)
    z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns="%s">%s</Relationships>' %
               (PKG, rels))
    for i, (_, xml) in enumerate(sheets, 1):
        z.writestr('xl/worksheets/sheet%d.xml' % i,
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (NS, xml))
    z.writestr('xl/sharedStrings.xml',
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="%s">%s</sst>' %
               (NS, ''.join('<si><t xml:space="preserve">%s</t></si>' % text(v) for v in sst)))
    z.close()


if __name__ == '__main__':
    main()
