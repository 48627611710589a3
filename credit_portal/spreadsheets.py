"""Cells of the CSV and XLSX files the portal writes: never a live formula (CSV/formula injection).

Anyone can put text in a name by self-registering; a name like `=HYPERLINK("http://…","x")` must
reach staff's and DRC officers' spreadsheet programs as text. As OWASP advises, a text cell that
starts with a formula trigger gets a leading apostrophe, which spreadsheet programs read as "text".
Every writer of a CSV or XLSX file passes its cells through `safe_cell` (or `safe_row`).
"""

from collections.abc import Iterable

# What makes Excel, LibreOffice or WPS read a cell as a formula (or a DDE command).
FORMULA_PREFIXES = frozenset("=+-@\t\r")
TEXT_MARK = "'"


def safe_cell(value):
    """The value, with a leading apostrophe if it is text starting like a formula; other types as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
        return TEXT_MARK + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]
