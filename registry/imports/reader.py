"""Reading an import file: UTF-8 CSV with a header row, checked before any row is used.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first
record is row 2 (in a headerless ODS extract the first record is row 1).
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field

from registry.errors import RegistryError

MAX_FIELD = 100_000


@dataclass(frozen=True)
class RowError:
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}: {self.field or 'row'}: {self.message}"


class ImportRejected(RegistryError):
    """The file was refused; ``errors`` lists every bad row. Nothing was stored."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was stored")


@dataclass
class CsvFile:
    name: str
    sha256: str
    header: list[str] | None
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def records(self, columns: tuple[str, ...]):
        """(row number, dict) for each row, by the expected columns."""
        for number, cells in self.rows:
            yield number, dict(zip(columns, cells))


def read_csv(data: bytes, name: str) -> CsvFile:
    """Decode and split a CSV file; raise ImportRejected if it cannot be read at all."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(None, "encoding", (
            f"the file is not UTF-8 text (byte {error.start}); "
            "save it as 'CSV UTF-8' and import it again"))]) from None
    if "\x00" in text:
        raise ImportRejected([RowError(None, "encoding", "the file contains NUL bytes; "
                                       "it is not a text CSV file")])
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            if any(len(cell) > MAX_FIELD for cell in cells):
                raise ImportRejected([RowError(number, None,
                                               f"a cell is longer than {MAX_FIELD} characters")])
            if any(cell.strip() for cell in cells):
                rows.append((number, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise ImportRejected([RowError(reader.line_num, None,
                                       f"not valid CSV: {error}")]) from None
    if not rows:
        raise ImportRejected([RowError(None, "file", "the file is empty")])
    return CsvFile(name=name, sha256=digest, header=None, rows=rows)


def take_header(table: CsvFile, columns: tuple[str, ...]) -> list[RowError]:
    """Split off the header row and check it names exactly the expected columns."""
    number, header = table.rows[0]
    table.header, table.rows = [h.lower() for h in header], table.rows[1:]
    missing = [c for c in columns if c not in table.header]
    extra = [h for h in table.header if h not in columns]
    repeated = [c for c in columns if table.header.count(c) > 1]
    errors = []
    if repeated:
        errors.append(RowError(number, "header",
                               f"column(s) named more than once: {', '.join(repeated)}"))
    if missing:
        errors.append(RowError(number, "header", f"missing column(s): {', '.join(missing)}"))
    if extra:
        errors.append(RowError(number, "header", (
            f"unexpected column(s): {', '.join(extra)}; the columns are: {','.join(columns)}")))
    return errors


def check_widths(table: CsvFile, width: int) -> list[RowError]:
    return [RowError(n, None, f"has {len(cells)} cells but the header has {width}")
            for n, cells in table.rows if len(cells) != width]


def in_column_order(table: CsvFile, columns: tuple[str, ...]) -> None:
    """Rearrange cells so they follow ``columns`` whatever order the header used."""
    if table.header != list(columns):
        order = [table.header.index(c) for c in columns]
        table.rows = [(n, [cells[i] for i in order]) for n, cells in table.rows]
