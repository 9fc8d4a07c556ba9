"""The ledger workbook (党员台账): template, export of a node's ledger, and the all-or-nothing import.

One sheet, 党员台账, in the columns a street office keeps (headers and values in either script);
the template adds an example row and a 说明 sheet. The export of a node lists the members whose
membership is held at or below it (the ledgers the node's administrators keep and may change);
in-service members living there whose membership is held elsewhere are exported by the
organisation that holds them.

Personal data in the export: ID and phone numbers are masked by default, and so is the birth date
(year only): the masked ID keeps the first six and last four digits and the birth date is the
eight in between, so a clear birth date next to a masked ID would give the whole number away. A
clear export is for someone who may change every member in it, with a stated reason, and is
written to the audit log (``pii.export``). The column 系统编号 (the member's id) lets a masked
export be imported again: rows are matched by the ID number's blind index, or by 系统编号 when the
ID number is masked.

The import checks every row and writes nothing unless every row is good. It streams the sheet
(``core.xlsxstream``: flat memory, the parsing on a second core), checks each batch of rows with
batched look-ups (organisation, area and unit codes, the members already in the ledgers: a few
queries a batch, none per row), and writes each clean batch at once through ``members.bulk`` (one
audit entry per batch of creations and one per batch of changes), all inside one transaction.
The first bad row stops the writing; the rest is still checked, so every problem is reported at
once, and the transaction is rolled back: nothing was written. Rows equal to the ledger write
nothing and log nothing. On PostgreSQL (outside an outer transaction) the writes run on a second
thread sharing the import's connection while the checks go on, with look-ups on a connection of their
own. Progress goes to the job as batches are checked; on PostgreSQL it is saved through a second
connection, so it shows while the import runs (on SQLite, which has one writer at a time, it shows
when the import ends). ``dry_run`` checks every row the same way and writes nothing.

What the import refuses (each reported in Chinese on its row; the ID and phone numbers never echoed
and masked in the error workbook): a bad ID number, birth date or sex that does not match it,
impossible dates, unknown values, codes that do not resolve or lie outside the actor's scope,
the same person twice in the file, a change of the organisation holding a membership (a transfer
does that), and a person already in the ledgers of an organisation outside the actor's scope:
"该党员已在其他社区台账：王****党委" (the other organisation's name masked but for its first
character and its kind, so nothing beyond the fact that the person is kept elsewhere leaks).

The package, by step: ``sheet`` (the workbook's columns and values, the masks), ``export`` (the
template and the export job), and the import as ``parse`` (reading the sheet and the ledgers),
``decide`` (row by row: create, change or refuse), ``write`` (the batches written, the rollback)
and ``ledger_import`` (the import and its job, with the tunable sizes). Every public name is
re-exported here: ``from gongjian.members.importexport import import_ledger`` keeps working (a
tunable such as ``BATCH`` is read in its own module: change it there, ``ledger_import.BATCH``).
"""

from __future__ import annotations

from .export import (
    EXPORT_JOB_KIND,
    EXPORT_PROGRESS_EVERY,
    clear_export_check,
    export_filename,
    export_ledger,
    export_unit_ledger,
    ledger_export_run,
    ledger_export_start,
    ledger_members,
    template_workbook,
)
from .ledger_import import (
    BATCH,
    DEFAULT_MAX_BYTES,
    FIGURES_WAITING,
    JOB_KIND,
    PROGRESS_EVERY,
    STATISTICS_MIN_ROWS,
    THREAD_MIN_ROWS,
    ImportResult,
    import_ledger,
    ledger_import_allowed,
    ledger_import_run,
    ledger_import_start,
)
from .parse import (
    AreaInfo,
    Existing,
    OrgInfo,
)
from .sheet import (
    CATEGORY_ORDER,
    COLUMNS,
    EDUCATIONS,
    ENUMS,
    EXAMPLE,
    GENDERS,
    HEADERS,
    LEDGERS,
    MAX_ERROR_ROWS,
    SHEET,
    SHEET_ALIASES,
    SHEET_HELP,
    STANDINGS,
    STATUSES,
    YES_NO,
    Progress,
    mask_birth,
    mask_org_name,
)
from .write import (
    SQLITE_IMPORT_CACHE_KIB,
)

__all__ = [
    "BATCH",
    "CATEGORY_ORDER",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "EDUCATIONS",
    "ENUMS",
    "EXAMPLE",
    "EXPORT_JOB_KIND",
    "EXPORT_PROGRESS_EVERY",
    "FIGURES_WAITING",
    "GENDERS",
    "HEADERS",
    "JOB_KIND",
    "LEDGERS",
    "MAX_ERROR_ROWS",
    "PROGRESS_EVERY",
    "SHEET",
    "SHEET_ALIASES",
    "SHEET_HELP",
    "SQLITE_IMPORT_CACHE_KIB",
    "STANDINGS",
    "STATISTICS_MIN_ROWS",
    "STATUSES",
    "THREAD_MIN_ROWS",
    "YES_NO",
    "AreaInfo",
    "Existing",
    "ImportResult",
    "OrgInfo",
    "Progress",
    "clear_export_check",
    "export_filename",
    "export_ledger",
    "export_unit_ledger",
    "import_ledger",
    "ledger_export_run",
    "ledger_export_start",
    "ledger_import_allowed",
    "ledger_import_run",
    "ledger_import_start",
    "ledger_members",
    "mask_birth",
    "mask_org_name",
    "template_workbook",
]
