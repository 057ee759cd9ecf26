"""Opening an uploaded ledger: size and zip checks, a clear message for files that are not xlsx,
finding the header row, and collecting the raw data rows. Nothing here looks at a cell's meaning.
"""

import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from firegrid.places.ledger.cells import _fold
from firegrid.places.ledger.columns import COLUMN_BY_KEY, COLUMNS, EXPORT_EXTRA, REQUIRED

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # a zip bomb stops here, before any XML is parsed
MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 10
MAX_BLANK_RUN = 1000  # this many empty rows in a row end the data (formatted-but-empty sheets)


class LedgerFileError(Exception):
    """The upload is not a readable ledger at all (not xlsx, too big, no header): one message."""


def _sniff(head):
    """A clear message for an upload that is not a zip (so not an xlsx) at all."""
    if not head:
        return _("The file is empty.")
    if head.startswith(b"MZ"):
        return _("This is a program (an .exe file), not an Excel workbook. Upload the .xlsx ledger.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _(
            "This is an old .xls workbook (or a password-protected one). Open it in Excel or WPS, "
            "remove any password and save it as .xlsx."
        )
    if head.startswith(b"%PDF"):
        return _("This is a PDF, not an Excel workbook. Upload the .xlsx ledger.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable >= 0.95 * len(text):
            return _(
                "This is a text (CSV) file, not an Excel workbook. Open it in Excel or WPS and save it "
                "as .xlsx, or fill in the template."
            )
    return _("This file is not an Excel (.xlsx) workbook. Upload the .xlsx ledger, e.g. the template.")


def _header_map(cells, known):
    """{column index: key} of the cells that name a ledger column."""
    found = {}
    for index, value in enumerate(cells):
        if value is None:
            continue
        key = known.get(_fold(value))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _header_lookup():
    known = {}
    for c in COLUMNS:
        for name in (c.zh, c.key, c.en, c.title, f"{c.zh}{c.en}"):
            known[_fold(name)] = c.key
    return known


def read_ledger(fileobj):
    """Open an uploaded ledger: [(Excel row number, {key: raw value})], or LedgerFileError."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise LedgerFileError(
            _("The file is larger than %(mb)s MB. Split the ledger into smaller files.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    head = fileobj.read(512)
    fileobj.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        raise LedgerFileError(_sniff(head))
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise LedgerFileError(
            _("The file is damaged or incomplete (it cannot be unpacked). Save it again from Excel.")
        ) from None
    if "xl/workbook.xml" not in names:
        raise LedgerFileError(
            _("This is a zip archive or another Office file, not an Excel (.xlsx) workbook.")
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise LedgerFileError(
            _("The workbook is too large when unpacked. Split the ledger into smaller files.")
        )
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on broken files; all mean "unreadable"
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel, save it again as .xlsx.")
        ) from None
    try:
        return _read_rows(workbook)
    except LedgerFileError:
        raise
    except Exception:  # a broken sheet found while streaming its rows
        raise LedgerFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel, save it again as .xlsx.")
        ) from None
    finally:
        workbook.close()


def _read_rows(workbook):
    known = _header_lookup()
    width = len(COLUMNS) + len(EXPORT_EXTRA) + 40
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        rows = sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        header, header_row = None, 0
        for number, cells in enumerate(rows, start=1):
            found = _header_map(cells, known)
            if header is None:
                if len(found) >= 3:
                    header, header_row = found, number
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            if number == header_row + 1 and len(found) >= 3:
                continue  # the second header row (field keys)
            return _data_rows(header, number, cells, rows)
        if header is not None:
            _check_header(header)
            return []
    raise LedgerFileError(
        _(
            "No header row found: the first sheet must start with the column titles of the template "
            "(e.g. %(titles)s). Download the template and copy your rows into it."
        )
        % {"titles": "、".join(COLUMN_BY_KEY[k].zh for k in REQUIRED)}
    )


def _check_header(header):
    missing = [COLUMN_BY_KEY[k].title for k in REQUIRED if k not in header.values()]
    if missing:
        raise LedgerFileError(
            _("The sheet lacks the required column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )


def _data_rows(header, first_number, first_cells, rows):
    _check_header(header)
    data, blank_run = [], 0
    number, cells = first_number, first_cells
    while True:
        values = {key: cells[index] for index, key in header.items() if index < len(cells)}
        if any(v is not None and str(v).strip() != "" for v in values.values()):
            blank_run = 0
            data.append((number, values))
            if len(data) > MAX_ROWS:
                raise LedgerFileError(
                    _("The sheet has more than %(max)s rows. Split the ledger into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
        else:
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
        try:
            cells = next(rows)
        except StopIteration:
            break
        number += 1
    return data
