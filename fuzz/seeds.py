#!/usr/bin/env python3
"""Writes starting inputs for the fuzz targets into corpus/TARGET (git ignores corpus/).

Household sheets as the offices send them: CSV in UTF-8 with and without BOM and in GBK, and
the same rows as .xlsx and .ods, zipped without compression so the fuzzer's mutations land in
the XML text. The sheet targets put the file signature in front of every input themselves, so
the zip seeds are written without their first four bytes (and, for calamine, after the byte
that picks .ods).
"""

import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

ROWS = [
    ["新丰社区困难家庭名单（2024年冬）"],
    ["序号", "户主姓名", "身份证号码", "联系电话", "村（社区）", "详细地址", "困难类型", "需求物资", "数量"],
    ["1", "柏青山", "340121195001010136", "139-1234-5678", "三岗村", "一组3号", "低保、残疾", "", ""],
    ["2", "竹林生", "34012119550505052X", "", "三岗村", "二组5号", "特困", "棉被", "2床"],
    ["3", "梅花开", "340121196002020241", "0551-6812345", "三岗村", "三组1号", "低保", "", ""],
    ["合计", "", "", "", "", "", "", "", "2床"],
]

ITEM_ROWS = [
    ["物资编码", "物资名称", "单位", "参考单价"],
    ["M001", "棉被", "床", "120"],
]


def csv(rows):
    return "\r\n".join(",".join(r) for r in rows)


def zip_stored(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, text in files:
            z.writestr(name, text)
    return out.getvalue()


def cell(ref, value):
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(rows):
    sheet_rows = []
    for i, row in enumerate(rows, 1):
        cells = "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row) if v)
        sheet_rows.append(f'<row r="{i}">{cells}</row>')
    return zip_stored([
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         '</Types>'),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>'),
        ("xl/workbook.xml",
         '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels",
         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
         '</Relationships>'),
        ("xl/worksheets/sheet1.xml",
         '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         f'<sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'),
    ])


def ods(rows):
    table_rows = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名单">{table_rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return zip_stored([
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content),
    ])


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    text = csv(ROWS)
    write("csv", "utf8.csv", text.encode())
    write("csv", "bom.csv", b"\xef\xbb\xbf" + text.encode())
    write("csv", "gbk.csv", text.encode("gbk"))
    write("csv", "items.csv", csv(ITEM_ROWS).encode())
    write("xlsx", "households", xlsx(ROWS)[4:])
    write("xlsx", "items", xlsx(ITEM_ROWS)[4:])
    write("calamine", "households_ods", b"\x01" + ods(ROWS)[4:])
    write("calamine", "xls_header", b"\x00" + bytes(504))
    for i, number in enumerate(["340121195001010136", "34012119550505052x", "340121500101013", " 3401 2119 5001 0101 36 "]):
        write("id_number", f"id{i}", number.encode())
    for i, number in enumerate(["139-1234-5678", "+86 139 1234 5678", "0551-6812345", "(0551)68123456-801"]):
        write("phone", f"phone{i}", number.encode())


if __name__ == "__main__":
    main()
