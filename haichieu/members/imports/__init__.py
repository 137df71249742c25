"""Excel import of members (issue 4): template, safe reading of real-world sheets, preview, apply.

- `reader`: upload safety and reading the sheets people keep (header found, variants, merges).
- `values`: header names and cell values (dates, numbers that lost their zeros, Unicode).
- `places`: communes, provinces and cells as people write them, matched to the official records.
- `services`: validation with the member form's rules, matching, one-transaction apply with audit.
- `report`: the template and the error report.
"""

from .reader import ImportFileError, check_upload_size, check_xlsx, limits, read_workbook
from .report import TEMPLATE_FILENAME, error_report, template_workbook
from .services import ImportResult, RowIssue, members_import

__all__ = [
    "TEMPLATE_FILENAME",
    "ImportFileError",
    "ImportResult",
    "RowIssue",
    "check_upload_size",
    "check_xlsx",
    "error_report",
    "limits",
    "members_import",
    "read_workbook",
    "template_workbook",
]
