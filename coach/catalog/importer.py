"""Load the College Scorecard CSV into the catalog: validated as a whole, then upserted by unitid.

A malformed file changes nothing: every row is checked before the first write, and the error names
the row (1 = the header) and the column.
"""

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from coach.catalog.models import College

DEFAULT_CATALOG = Path(__file__).resolve().parent / "data" / "colleges.csv"

# The profile's major keys are the pcip_* suffixes, except criminal justice (DESIGN.md §3).
PROGRAM_COLUMNS = {"pcip_security_law_enforcement": "criminal_justice"}
REQUIRED_COLUMNS = ("unitid", "name", "city", "state", "control", "predominant_degree")
INTEGER_COLUMNS = {
    "locale": (11, 43),
    "predominant_degree": (1, 4),
    "undergrad_size": (0, 500_000),
    "sat_avg": (400, 1600),
    "sat_math_25": (200, 800),
    "sat_math_75": (200, 800),
    "sat_read_25": (200, 800),
    "sat_read_75": (200, 800),
    "act_25": (1, 36),
    "act_75": (1, 36),
    "tuition_in_state": (0, 200_000),
    "tuition_out_of_state": (0, 200_000),
    "cost_of_attendance": (0, 300_000),
    "net_price": (-100_000, 300_000),
    "net_price_0_30k": (-100_000, 300_000),
    "net_price_30_48k": (-100_000, 300_000),
    "net_price_48_75k": (-100_000, 300_000),
    "net_price_75_110k": (-100_000, 300_000),
    "net_price_110k_plus": (-100_000, 300_000),
    "median_earnings_10y": (0, 1_000_000),
}
RATE_COLUMNS = ("admission_rate", "completion_rate")
CONTROLS = {"public", "private_nonprofit", "private_for_profit"}


class CatalogImportError(Exception):
    pass


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    not_in_file: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def _number(row: dict, column: str, row_number: int, cast=float):
    raw = (row.get(column) or "").strip()
    if raw == "":
        return None
    try:
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(raw)
        value = int(number) if cast is int else number
    except (ValueError, OverflowError):
        raise CatalogImportError(f"row {row_number}: {column} is not a number: {raw!r}") from None
    if cast is int and value != number:
        raise CatalogImportError(f"row {row_number}: {column} is not a whole number: {raw!r}")
    return value


# Text columns and the longest value the database takes.
TEXT_LIMITS = {"name": 200, "city": 100, "url": 300}


def _college_from_row(row: dict, row_number: int) -> College:
    if None in row:
        raise CatalogImportError(f"row {row_number}: more cells than the header has columns")
    for column in REQUIRED_COLUMNS:
        if not (row.get(column) or "").strip():
            raise CatalogImportError(f"row {row_number}: {column} is empty")
    for column, limit in TEXT_LIMITS.items():
        if len((row.get(column) or "").strip()) > limit:
            raise CatalogImportError(f"row {row_number}: {column} is longer than {limit}")
    fields = {}
    for column, (low, high) in INTEGER_COLUMNS.items():
        value = _number(row, column, row_number, int)
        if value is not None and not low <= value <= high:
            raise CatalogImportError(f"row {row_number}: {column} {value} is outside {low}–{high}")
        fields[column] = value
    for column in RATE_COLUMNS:
        value = _number(row, column, row_number)
        if value is not None and not 0 <= value <= 1:
            raise CatalogImportError(f"row {row_number}: {column} {value} is outside 0–1")
        fields[column] = value
    shares = {}
    for column in row:
        if column.startswith("pcip_") and (share := _number(row, column, row_number)) is not None:
            if not 0 <= share <= 1:
                raise CatalogImportError(f"row {row_number}: {column} {share} is outside 0–1")
            if share > 0:
                shares[PROGRAM_COLUMNS.get(column, column.removeprefix("pcip_"))] = share
    if row["control"] not in CONTROLS:
        raise CatalogImportError(f"row {row_number}: control {row['control']!r} is unknown")
    if len(row["state"]) != 2:
        raise CatalogImportError(f"row {row_number}: state {row['state']!r} is not a 2-letter code")
    unitid = _number(row, "unitid", row_number, int)
    if unitid <= 0:
        raise CatalogImportError(f"row {row_number}: unitid {unitid} is not a positive number")
    return College(
        unitid=unitid,
        name=row["name"].strip(),
        city=row["city"].strip(),
        state=row["state"].strip(),
        control=row["control"],
        main_campus=row.get("main_campus") == "1",
        online_only=row.get("online_only") == "1",
        url=(row.get("url") or "").strip(),
        program_shares=shares,
        **fields,
    )


def read_catalog(path: Path) -> list[College]:
    """Parse and validate the whole file; raise CatalogImportError on the first bad row."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CatalogImportError(f"the header lacks {', '.join(missing)}")
            colleges = [
                _college_from_row(row, number) for number, row in enumerate(reader, start=2)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CatalogImportError(f"cannot read {path}: {error}") from None
    seen: set[int] = set()
    for number, college in enumerate(colleges, start=2):
        if college.unitid in seen:
            raise CatalogImportError(f"row {number}: unitid {college.unitid} appears twice")
        seen.add(college.unitid)
    if not colleges:
        raise CatalogImportError(f"{path} has no colleges")
    return colleges


@transaction.atomic
def import_catalog(path: Path = DEFAULT_CATALOG) -> ImportReport:
    colleges = read_catalog(path)
    existing = set(College.objects.values_list("unitid", flat=True))
    update_fields = [f.name for f in College._meta.concrete_fields if f.name != "unitid"]
    College.objects.bulk_create(
        colleges,
        update_conflicts=True,
        unique_fields=["unitid"],
        update_fields=update_fields,
        batch_size=500,
    )
    in_file = {college.unitid for college in colleges}
    return ImportReport(
        created=len(in_file - existing),
        updated=len(in_file & existing),
        not_in_file=len(existing - in_file),
    )
