"""Helpers that several test modules share. Test code only; the product never imports this."""

import io

import openpyxl


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square with its south-west corner at (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def xlsx_bytes(headers: list[str], rows: list[list]) -> bytes:
    """An .xlsx file with a header row, as a clerk's spreadsheet would be."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
