"""Helpers for the few statements written in SQL rather than through the ORM (the ones every
turn or request runs, where building the query in Python cost more than running it)."""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The model's columns, named one by one: a prepared statement that said `*` would fail
    ("cached plan must not change result type") once a migration added a column."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


def placeholders(values: Sequence) -> str:
    """`%s, %s, ...`, one for each of `values` (for `IN (...)`)."""
    return ", ".join(["%s"] * len(values))


def key(model: type[Model], value: Any) -> Any:
    """A primary key as this database takes it as a parameter."""
    return model._meta.pk.get_db_prep_value(value, connection)


def first_row[M: Model](model: type[M], sql: str, params: Sequence) -> M | None:
    """The first row of a SQL query as a `model` instance, or None."""
    return next(iter(model._default_manager.raw(sql, params)), None)
