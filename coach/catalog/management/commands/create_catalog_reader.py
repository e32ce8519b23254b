import os
from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from coach.catalog.models import College

DEFAULT_ROLE = "aviator_catalog_reader"
PASSWORD_VARIABLE = "CATALOG_READER_PASSWORD"
# PostgreSQL silently truncates longer names, and the role looked up afterwards would not match.
ROLE_NAME_MAX_BYTES = 63


class Command(BaseCommand):
    help = (
        "Create or repair the PostgreSQL role the catalog tools read through (DESIGN.md §6): it "
        "may log in, connect to this database and SELECT the catalog table, nothing else. Run it "
        "as a DBA after `migrate`; running it again re-applies the grants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default=DEFAULT_ROLE, help=f"default: {DEFAULT_ROLE}")
        # A password on the command line would show in `ps` and the shell history, so the flag
        # only says "set it", and the value comes from the environment.
        parser.add_argument(
            "--password",
            action="store_true",
            help=f"set the role's password from ${PASSWORD_VARIABLE} (never printed)",
        )

    def handle(self, *args, role: str, password: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Database roles only exist on PostgreSQL; the embedded SQLite default reads the "
                "catalog through its one connection. Set DATABASE_URL=postgres://... to run this."
            )
        if not role or len(role.encode()) > ROLE_NAME_MAX_BYTES:
            raise CommandError(f"--role must be 1 to {ROLE_NAME_MAX_BYTES} bytes long.")
        secret = os.environ.get(PASSWORD_VARIABLE, "") if password else ""
        if password and not secret:
            raise CommandError(f"--password given but ${PASSWORD_VARIABLE} is empty.")

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
            created = _ensure_login_role(cursor, role)
            if secret:
                _set_password(cursor, role, secret)
            _grant_catalog_only(cursor, role, database=database)

        self.stdout.write(
            f"Role {role} {'created' if created else 'already existed'}; grants applied."
        )
        self.stdout.write(f"CATALOG_DATABASE_URL={_catalog_database_url(role, database)}")
        if not secret:
            self.stdout.write(
                f"No password set: set one with ${PASSWORD_VARIABLE} and --password, or rely on "
                "certificate authentication, then add it to the URL."
            )


def _ensure_login_role(cursor, role: str) -> bool:
    """Create `role` if missing; refuse a role whose privileges a REVOKE could not take away."""
    cursor.execute(
        "SELECT rolsuper OR rolbypassrls, rolname = current_user FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        return True
    too_powerful, is_current_user = row
    if too_powerful or is_current_user:
        raise CommandError(
            f"Role {role} is a superuser, bypasses row security or is the role running this "
            "command; pick another --role."
        )
    # Owned tables and memberships carry privileges that a REVOKE on the role does not remove.
    cursor.execute(
        "WITH r AS (SELECT oid FROM pg_roles WHERE rolname = %s)"
        " SELECT EXISTS (SELECT FROM pg_class WHERE relowner = (SELECT oid FROM r))"
        " OR EXISTS (SELECT FROM pg_auth_members WHERE member = (SELECT oid FROM r))",
        [role],
    )
    if cursor.fetchone()[0]:
        raise CommandError(
            f"Role {role} owns tables or is a member of other roles; pick another --role."
        )
    cursor.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(role)))
    return False


def _set_password(cursor, role: str, secret: str) -> None:
    # Hashed on this side (as psql's \password does): the plain password never appears in the
    # statement, so neither the server's log nor Django's query log can show it.
    pgconn = connection.connection.pgconn
    verifier = pgconn.encrypt_password(secret.encode(), role.encode(), b"scram-sha-256")
    cursor.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier.decode())
        )
    )


def _grant_catalog_only(cursor, role: str, *, database: str) -> None:
    """Revoke whatever the role held in this database, then grant exactly the catalog read."""
    table = College._meta.db_table
    cursor.execute(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = to_regclass(%s)",
        [connection.ops.quote_name(table)],
    )
    row = cursor.fetchone()
    if row is None:
        raise CommandError(f"Table {table} does not exist; run `manage.py migrate` first.")
    table_schema = row[0]
    # Every user schema, not only the catalog's: the LangGraph checkpoints (family text) live in
    # a schema of their own.
    cursor.execute(
        "SELECT nspname FROM pg_namespace"
        " WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'"
    )
    who = sql.Identifier(role)
    for (schema,) in cursor.fetchall():
        name = sql.Identifier(schema)
        for statement in (
            "REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}",
            "REVOKE ALL ON SCHEMA {} FROM {}",
        ):
            cursor.execute(sql.SQL(statement).format(name, who))
    cursor.execute(
        sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(database), who)
    )
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who)
    )
    cursor.execute(
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(table_schema), who)
    )
    cursor.execute(
        sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(sql.Identifier(table_schema, table), who)
    )


def _catalog_database_url(role: str, database: str) -> str:
    host = connection.settings_dict.get("HOST") or "localhost"
    port = connection.settings_dict.get("PORT")
    port = f":{port}" if port else ""
    return f"postgres://{quote(role, safe='')}@{host}{port}/{quote(database, safe='')}"
