"""What an uploaded ward list may hold, and the one error every refusal raises (lms.cohorts.sheets
reads the file; lms.cohorts.xlsx_checks checks an XLSX before openpyxl reads it)."""
from __future__ import annotations

MAX_BYTES = 5 * 1024 * 1024
# A ward's list of people: at most this many people, columns with something in them, and cells.
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELLS = 100_000  # cells written in the file, empty or not (10,000 people × 10 columns)
# Rows read in all, blank ones included; after it, any row with something in it is refused.
MAX_LINES = 5 * MAX_ROWS
MAX_EMPTY_RUN = 1000  # blank rows in a row after which the list is taken to have ended
# XLSX: what the zip may hold, and what its XML may contain.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all members together
MAX_MEMBER_BYTES = 30 * 1024 * 1024  # one member
MAX_MEMBERS = 500
MAX_RATIO = 200  # unpacked / packed, for members bigger than RATIO_FLOOR (Excel's XML: about 5 to 20)
RATIO_FLOOR = 256 * 1024
MAX_SHARED_STRINGS = 100_000
MAX_CELLS_PER_ROW = 1000  # cells written in one row, empty or not
MAX_XML_DEPTH = 1000  # Excel nests about 10 deep; checked every 64 KB of a part
MAX_XML_ELEMENTS = 1_000_000  # over every part of the file
# Elements openpyxl makes objects of one by one (styles, the workbook…): Excel's own are a few
# hundred to a few thousand; 20,000 cost openpyxl about a second.
MAX_OTHER_ELEMENTS = 20_000
# Elements of every part but the shared strings (cells and values included): a full list of
# MAX_CELLS cells written as inline text is three elements a cell.
MAX_PARSED_ELEMENTS = 3 * MAX_CELLS + 20_000
# Refusals for size answer 413; the rest 422.
TOO_LARGE = frozenset({"too_big", "unpacked_too_big"})


class SheetError(ValueError):
    """The file cannot be read as a table; `code` says why, for the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params
