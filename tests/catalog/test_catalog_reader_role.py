"""The catalog reader role (DESIGN.md §6 "Least privilege"), on the real PostgreSQL.

The role is created once for the module by `manage.py create_catalog_reader`, under a name of its
own per test database so that test runs sharing a PostgreSQL server do not trip over each other.
Each test then connects *as that role* to the test database and asks PostgreSQL what it allows.
"""

from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext, override_settings
from psycopg import sql

from coach.catalog import selectors
from coach.catalog.models import College
from coach.models import Conversation, Message

COLLEGE_TABLE = sql.Identifier(College._meta.db_table)
CHECKPOINT_TABLE = sql.Identifier(settings.CHECKPOINT_SCHEMA, "checkpoints")


def _run_command(*args: str) -> str:
    out = StringIO()
    call_command("create_catalog_reader", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def reader_role(django_db_setup, django_db_blocker):
    """The role's name; it is dropped again when the module is done."""
    role = f"{connection.settings_dict['NAME']}_catalog_reader"[:63]
    with django_db_blocker.unblock():
        _run_command("--role", role)
        yield role
        with connection.cursor() as cursor:
            # DROP OWNED also revokes the grants (CONNECT on the database included).
            cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def reader(reader_role):
    """A plain connection to the test database, logged in as the reader role."""
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=reader_role,
        autocommit=True,
    ) as conn:
        yield conn


@pytest.fixture
def catalog_alias(reader_role, transactional_db):
    """Django's `catalog` alias, connected as the reader role, as CATALOG_DATABASE_URL sets it.

    It is registered as a connection only, not in settings.DATABASES: Django's test case then
    treats it as dynamically created and lets the test use it, and never tries to flush the
    catalog through it (which the role may not)."""
    options = {k: v for k, v in connection.settings_dict["OPTIONS"].items() if k != "pool"}
    reader_settings = connection.settings_dict | {
        "USER": reader_role,
        "PASSWORD": "",
        "OPTIONS": options,
    }
    connections["catalog"] = type(connections["default"])(reader_settings, alias="catalog")
    try:
        yield connections["catalog"]
    finally:
        connections["catalog"].close()
        del connections["catalog"]


def a_college(**fields) -> College:
    return College.objects.create(
        **{
            "unitid": 990001,
            "name": "Aviator Test College",
            "city": "Columbus",
            "state": "OH",
            "control": "public",
            "predominant_degree": 3,
            "main_campus": True,
            "online_only": False,
        }
        | fields
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_reader_can_select_colleges(reader):
    a_college(unitid=990001, name="Aviator Test College")

    rows = reader.execute(
        sql.SQL("SELECT name FROM {} WHERE unitid = %s").format(COLLEGE_TABLE), [990001]
    ).fetchall()

    assert rows == [("Aviator Test College",)]


@pytest.mark.services
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO {} (unitid, name) VALUES (990002, 'Injected')",
        "UPDATE {} SET name = 'Defaced'",
        "DELETE FROM {}",
        "TRUNCATE {}",
    ],
    ids=["insert", "update", "delete", "truncate"],
)
def test_the_reader_cannot_write_the_catalog(reader, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(sql.SQL(statement).format(COLLEGE_TABLE))


@pytest.mark.services
@pytest.mark.parametrize(
    "table",
    [
        sql.Identifier(Conversation._meta.db_table),
        sql.Identifier(Message._meta.db_table),
        sql.Identifier(get_user_model()._meta.db_table),
        CHECKPOINT_TABLE,
    ],
    ids=["conversations", "messages", "users", "checkpoints"],
)
def test_the_reader_cannot_read_family_data(reader, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(sql.SQL("SELECT count(*) FROM {}").format(table))


@pytest.mark.services
def test_running_the_command_again_is_safe(reader_role, reader, django_db_blocker):
    with django_db_blocker.unblock():
        first = _run_command("--role", reader_role)
        second = _run_command("--role", reader_role)

    assert "already existed" in first and "already existed" in second
    reader.execute(sql.SQL("SELECT count(*) FROM {}").format(COLLEGE_TABLE))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute(sql.SQL("SELECT count(*) FROM {}").format(CHECKPOINT_TABLE))


@pytest.mark.services
def test_running_the_command_again_restores_lost_grants(reader_role, reader, django_db_blocker):
    # A re-created table starts without the grant; here it is taken away by hand instead.
    revoke = sql.SQL("REVOKE SELECT ON {} FROM {}").format(
        COLLEGE_TABLE, sql.Identifier(reader_role)
    )
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(revoke)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute(sql.SQL("SELECT count(*) FROM {}").format(COLLEGE_TABLE))

        _run_command("--role", reader_role)

    reader.execute(sql.SQL("SELECT count(*) FROM {}").format(COLLEGE_TABLE))


@pytest.mark.services
def test_the_password_comes_from_the_environment_and_is_never_printed(
    reader_role, django_db_blocker, monkeypatch
):
    monkeypatch.setenv("CATALOG_READER_PASSWORD", "correct-horse-battery-staple")

    with django_db_blocker.unblock():
        output = _run_command("--role", reader_role, "--password")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [reader_role])
            (stored,) = cursor.fetchone()

    assert "correct-horse-battery-staple" not in output
    assert f"CATALOG_DATABASE_URL=postgres://{reader_role}@" in output
    assert stored.startswith("SCRAM-SHA-256$")


@pytest.mark.services
def test_catalog_records_read_through_the_catalog_alias(catalog_alias, monkeypatch):
    a_college(unitid=990003, name="Read Through The Reader")
    # Start from an empty per-process cache; both keys are restored together after the test.
    monkeypatch.setitem(selectors._cache, "version", None)
    monkeypatch.setitem(selectors._cache, "records", ())

    with (
        override_settings(CATALOG_DB_ALIAS="catalog"),
        CaptureQueriesContext(connection) as on_default,
        CaptureQueriesContext(catalog_alias) as on_catalog,
    ):
        records = selectors.catalog_records()

    assert [record.name for record in records] == ["Read Through The Reader"]
    assert len(on_catalog) == 2
    assert len(on_default) == 0


@pytest.mark.skipif(settings.USES_POSTGRES, reason="the refusal is SQLite's")
@pytest.mark.django_db
def test_it_refuses_to_create_a_role_on_sqlite():
    with pytest.raises(CommandError, match="only exist on PostgreSQL"):
        _run_command()
