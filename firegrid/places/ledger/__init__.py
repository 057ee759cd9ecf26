"""Excel ledgers (台账) of places: the xlsx template, the all-or-nothing import, the scoped export.

Import reads every row first and collects every problem as (row as Excel numbers it, column title,
message); a file with any problem writes nothing. A clean file is created in one transaction with
the same derived values, grade events and audit rows as `actions.save_place`, in bulk.

The sheet layout is shared by template, import and export: row 1 holds the Chinese column titles,
row 2 the field keys (English), data starts on row 3. Import finds the columns by title or key, so
their order does not matter and extra columns (the export's grade columns) are ignored.

    columns   the columns, sheet names and header styles
    cells     one cell's raw value → a field value
    reading   opening an upload: size, zip and format checks, the header, the raw rows
    importer  validating every row, then the all-or-nothing write
    template  the empty workbook with its example row, dropdowns and notes
    exporter  the scoped, filtered export, streamed

Callers use the names re-exported here (`ledger.import_places`, `ledger.MAX_ROWS`, …). The limits
are enforced in `reading`, so that is the module to patch to change them.
"""

from firegrid.places.ledger.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    EXAMPLE_MARK,
    NOTES_SHEET,
    XLSX_TYPE,
    Column,
)
from firegrid.places.ledger.exporter import (
    ExportFilterError,
    export_file,
    export_queryset,
    search_places,
    write_export,
)
from firegrid.places.ledger.importer import (
    ImportResult,
    RowError,
    create_places,
    import_places,
    validate_rows,
)
from firegrid.places.ledger.reading import MAX_ROWS, MAX_UPLOAD_BYTES, LedgerFileError, read_ledger
from firegrid.places.ledger.template import build_template, kind_rows

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "DATA_SHEET",
    "EXAMPLE_MARK",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "NOTES_SHEET",
    "XLSX_TYPE",
    "Column",
    "ExportFilterError",
    "ImportResult",
    "LedgerFileError",
    "RowError",
    "build_template",
    "create_places",
    "export_file",
    "export_queryset",
    "import_places",
    "kind_rows",
    "read_ledger",
    "search_places",
    "validate_rows",
    "write_export",
]
