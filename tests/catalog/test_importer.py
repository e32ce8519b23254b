"""Loading the College Scorecard CSV: idempotent upserts, all-or-nothing validation, the command.

Each test writes a small CSV in `tmp_path` with the real header and the first real rows of
`coach/catalog/data/colleges.csv`, then changes what it is about. Rows are numbered as the
importer numbers them: 1 is the header, so the first college is row 2.
"""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coach.catalog.importer import DEFAULT_CATALOG, CatalogImportError, import_catalog, read_catalog
from coach.catalog.models import College

pytestmark = pytest.mark.django_db

# Far above every real unitid (the largest is below 500,000), so these rows are new.
FRESH_UNITIDS = (990_001, 990_002, 990_003)


def real_rows(count: int = 3) -> tuple[list[str], list[dict[str, str]]]:
    with DEFAULT_CATALOG.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(count), reader, strict=False)]
        return list(reader.fieldnames), rows


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def fresh_rows() -> tuple[list[str], list[dict[str, str]]]:
    """The first three real rows under unitids no catalog holds."""
    header, rows = real_rows(len(FRESH_UNITIDS))
    for row, unitid in zip(rows, FRESH_UNITIDS, strict=True):
        row["unitid"] = str(unitid)
    return header, rows


def snapshot() -> tuple[int, list[dict]]:
    """How many colleges there are, and every value of the rows these tests write."""
    rows = College.objects.filter(unitid__in=FRESH_UNITIDS).order_by("unitid").values()
    return College.objects.count(), [{k: v for k, v in row.items()} for row in rows]


@pytest.fixture
def imported(tmp_path) -> tuple[list[str], list[dict[str, str]]]:
    """The three fresh rows, already imported once; returns the header and the rows to mutate."""
    header, rows = fresh_rows()
    import_catalog(write_csv(tmp_path / "first.csv", header, rows))
    return header, rows


# --- Upserts ---------------------------------------------------------------------------------


def test_importing_the_same_file_twice_creates_then_only_updates(tmp_path):
    header, rows = fresh_rows()
    path = write_csv(tmp_path / "colleges.csv", header, rows)
    before = College.objects.count()

    first = import_catalog(path)
    after_first = College.objects.count()
    second = import_catalog(path)

    assert (first.created, first.updated) == (3, 0)
    assert (second.created, second.updated) == (0, 3)
    assert after_first == before + 3
    assert College.objects.count() == after_first


def test_importing_the_same_file_twice_leaves_the_same_values(tmp_path):
    header, rows = fresh_rows()
    path = write_csv(tmp_path / "colleges.csv", header, rows)
    import_catalog(path)
    first = [{k: v for k, v in row.items() if k != "updated"} for row in snapshot()[1]]

    import_catalog(path)

    assert [{k: v for k, v in row.items() if k != "updated"} for row in snapshot()[1]] == first


def test_a_refresh_updates_a_changed_value(tmp_path, imported):
    header, rows = imported
    rows[1]["net_price"] = "12345"
    rows[1]["name"] = "Alaska Pacific University (renamed)"

    report = import_catalog(write_csv(tmp_path / "refresh.csv", header, rows))

    refreshed = College.objects.get(unitid=FRESH_UNITIDS[1])
    assert (refreshed.net_price, refreshed.name) == (12345, "Alaska Pacific University (renamed)")
    assert College.objects.get(unitid=FRESH_UNITIDS[0]).name == rows[0]["name"]
    assert (report.created, report.updated) == (0, 3)


def test_a_refresh_of_real_rows_updates_them_in_place(catalog, tmp_path):
    header, rows = real_rows(2)
    rows[0]["undergrad_size"] = "99"
    before = College.objects.count()

    report = import_catalog(write_csv(tmp_path / "refresh.csv", header, rows))

    assert (report.created, report.updated) == (0, 2)
    assert report.not_in_file == before - 2
    assert College.objects.get(unitid=int(rows[0]["unitid"])).undergrad_size == 99
    assert College.objects.count() == before


def test_a_college_missing_from_the_file_is_kept(tmp_path, imported):
    header, rows = imported

    report = import_catalog(write_csv(tmp_path / "fewer.csv", header, rows[:2]))

    assert College.objects.filter(unitid=FRESH_UNITIDS[2]).exists()
    assert report.not_in_file >= 1


def test_empty_cells_are_stored_as_missing(tmp_path):
    header, rows = fresh_rows()  # the first real row publishes no admission rate nor SAT

    import_catalog(write_csv(tmp_path / "colleges.csv", header, rows))

    bible = College.objects.get(unitid=FRESH_UNITIDS[0])
    assert (bible.admission_rate, bible.sat_avg, bible.net_price_0_30k) == (None, None, None)
    assert bible.net_price == int(rows[0]["net_price"])


# --- Program shares --------------------------------------------------------------------------


def test_program_shares_are_keyed_by_the_major_vocabulary(tmp_path):
    header, rows = fresh_rows()
    rows[1]["pcip_security_law_enforcement"] = "0.25"

    import_catalog(write_csv(tmp_path / "colleges.csv", header, rows))

    shares = College.objects.get(unitid=FRESH_UNITIDS[1]).program_shares
    assert shares["criminal_justice"] == 0.25
    assert shares["health"] == float(rows[1]["pcip_health"])
    assert "security_law_enforcement" not in shares
    assert not any(key.startswith("pcip_") for key in shares)


def test_zero_program_shares_are_dropped(tmp_path):
    header, rows = fresh_rows()  # Alaska Bible College awards only theology degrees

    import_catalog(write_csv(tmp_path / "colleges.csv", header, rows))

    assert College.objects.get(unitid=FRESH_UNITIDS[0]).program_shares == {"theology": 1.0}
    for college in College.objects.filter(unitid__in=FRESH_UNITIDS):
        assert all(share > 0 for share in college.program_shares.values())


def test_the_real_catalog_keys_criminal_justice_for_every_law_enforcement_share(catalog):
    with DEFAULT_CATALOG.open(newline="", encoding="utf-8") as handle:
        expected = {
            int(row["unitid"])
            for row in csv.DictReader(handle)
            if row["pcip_security_law_enforcement"]
            and float(row["pcip_security_law_enforcement"]) > 0
        }

    stored = set(
        College.objects.filter(program_shares__has_key="criminal_justice").values_list(
            "unitid", flat=True
        )
    )

    assert stored == expected
    assert not College.objects.filter(program_shares__has_key="security_law_enforcement").exists()


# --- Malformed files change nothing ----------------------------------------------------------


def set_cell(row_index: int, column: str, value: str):
    def mutate(rows):
        rows[row_index][column] = value

    return mutate


def duplicate_first_unitid(rows):
    rows[2]["unitid"] = rows[0]["unitid"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (set_cell(1, "admission_rate", "-0.2"), "row 3: admission_rate"),
        (set_cell(1, "admission_rate", "1.5"), "row 3: admission_rate"),
        (set_cell(1, "sat_avg", "2000"), "row 3: sat_avg"),
        (set_cell(1, "tuition_in_state", "twelve thousand"), "row 3: tuition_in_state"),
        (set_cell(2, "act_75", "37"), "row 4: act_75"),
        (set_cell(1, "pcip_business", "1.2"), "row 3: pcip_business"),
        (set_cell(1, "pcip_business", "lots"), "row 3: pcip_business"),
        (set_cell(1, "control", "state"), "row 3: control"),
        (set_cell(1, "state", "Alaska"), "row 3: state"),
        (set_cell(0, "name", ""), "row 2: name"),
        (set_cell(1, "unitid", "abc"), "row 3: unitid"),
        (duplicate_first_unitid, "row 4: unitid"),
    ],
    ids=[
        "negative-admission-rate",
        "admission-rate-above-1",
        "sat-avg-2000",
        "not-a-number",
        "act-above-36",
        "share-above-1",
        "share-not-a-number",
        "unknown-control",
        "state-not-a-code",
        "empty-name",
        "unitid-not-a-number",
        "duplicate-unitid",
    ],
)
def test_a_malformed_file_names_the_row_and_changes_nothing(tmp_path, imported, mutate, message):
    header, rows = imported
    for row in rows:
        row["name"] += " (should not be saved)"
        row["net_price"] = "1"
    mutate(rows)
    before = snapshot()

    with pytest.raises(CatalogImportError, match=message):
        import_catalog(write_csv(tmp_path / "bad.csv", header, rows))

    assert snapshot() == before


def test_a_file_without_a_required_column_changes_nothing(tmp_path, imported):
    header, rows = imported
    for row in rows:
        row["name"] += " (should not be saved)"
    before = snapshot()

    without_state = [column for column in header if column != "state"]
    with pytest.raises(CatalogImportError, match="header.*state"):
        import_catalog(write_csv(tmp_path / "bad.csv", without_state, rows))

    assert snapshot() == before


def test_an_empty_file_changes_nothing(tmp_path, imported):
    before = snapshot()
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")

    with pytest.raises(CatalogImportError):
        import_catalog(path)

    assert snapshot() == before


def test_a_file_with_only_the_header_changes_nothing(tmp_path, imported):
    header, _ = imported
    before = snapshot()

    with pytest.raises(CatalogImportError, match="no colleges"):
        import_catalog(write_csv(tmp_path / "header.csv", header, []))

    assert snapshot() == before


def test_a_missing_file_is_an_import_error(tmp_path):
    with pytest.raises(CatalogImportError, match="cannot read"):
        read_catalog(tmp_path / "nowhere.csv")


def test_a_file_that_is_not_utf8_is_an_import_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"unitid,name\n1,Universit\xe9\n")

    with pytest.raises(CatalogImportError, match="cannot read"):
        read_catalog(path)


def test_an_infinite_number_is_an_import_error(tmp_path):
    header, rows = fresh_rows()
    rows[1]["undergrad_size"] = "inf"

    with pytest.raises(CatalogImportError, match="row 3: undergrad_size"):
        read_catalog(write_csv(tmp_path / "bad.csv", header, rows))


def test_a_row_with_more_cells_than_the_header_is_an_import_error(tmp_path):
    header, rows = fresh_rows()
    path = write_csv(tmp_path / "bad.csv", header, rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CatalogImportError, match="row 3"):
        read_catalog(path)


def test_a_blank_program_share_is_read_as_missing(tmp_path):
    header, rows = fresh_rows()
    rows[1]["pcip_business"] = " "

    colleges = read_catalog(write_csv(tmp_path / "blank.csv", header, rows))

    assert "business" not in colleges[1].program_shares


@pytest.mark.parametrize(
    ("column", "value"), [("unitid", "-5"), ("name", "x" * 201)], ids=["unitid", "name"]
)
def test_a_value_the_database_would_reject_is_caught_before_writing(tmp_path, column, value):
    header, rows = fresh_rows()
    rows[1][column] = value

    with pytest.raises(CatalogImportError, match=f"row 3: {column}"):
        read_catalog(write_csv(tmp_path / "bad.csv", header, rows))


# --- The management command ------------------------------------------------------------------


def test_the_command_prints_the_counts(tmp_path):
    header, rows = fresh_rows()
    path = write_csv(tmp_path / "colleges.csv", header, rows)

    first, second = StringIO(), StringIO()
    call_command("import_catalog", str(path), stdout=first)
    call_command("import_catalog", str(path), stdout=second)

    assert "3 created, 0 updated" in first.getvalue()
    assert "0 created, 3 updated" in second.getvalue()
    assert "3 in file" in second.getvalue()


def test_the_command_refuses_a_bad_file_and_says_nothing_changed(tmp_path, imported):
    header, rows = imported
    rows[0]["name"] = "Renamed"
    rows[1]["sat_avg"] = "2000"
    before = snapshot()

    with pytest.raises(CommandError, match="nothing changed") as raised:
        call_command("import_catalog", str(write_csv(tmp_path / "bad.csv", header, rows)))

    assert "row 3: sat_avg" in str(raised.value)
    assert snapshot() == before
