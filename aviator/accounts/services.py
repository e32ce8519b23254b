"""Writes for accounts: users with a role, and API tokens."""

import functools
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from aviator.accounts.models import ApiToken, hash_token
from aviator.audit.models import ActorRole
from aviator.audit.services import audit_record
from aviator.roles import Role, remember_role
from aviator.sql import columns

TOKEN_PREFIX = "avt_"
# The backend a session names for a person signed in without a password check (sign-up, load
# tests): the one that loads users (django-axes's backend, first in the list, only guards logins).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


@transaction.atomic
def user_create(*, email: str, password: str | None, role: Role, first_name: str = ""):
    """Create a user whose login is their e-mail address, in the group of `role`. Families
    see a counselor by `first_name` ("Maya from the counseling team has joined").

    Staff roles get Django's `is_staff` so they can reach the staff pages; admins are superusers.
    """
    user_model = get_user_model()
    user = user_model(username=email.lower(), email=email.lower(), first_name=first_name)
    user.is_staff = role in (Role.COUNSELOR, Role.ADMIN)
    user.is_superuser = role == Role.ADMIN
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    # get_or_create rather than a data migration: the groups then also survive test flushes.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    audit_record(
        action="user.created",
        target=user,
        actor_role=ActorRole.SYSTEM,
        after={"email": user.email, "role": role},
    )
    return user


def token_issue(*, user) -> str:
    """Create a token for `user` and return its raw value, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:12])
    audit_record(
        action="token.issued",
        target=token,
        actor_role=ActorRole.SYSTEM,
        after={"user": user.email, "prefix": token.prefix},
    )
    return raw


def token_authenticate(*, raw_token: str):
    """The active user owning `raw_token`, or None; with their role, for `role_of`."""
    now = timezone.now()
    # One SQL statement, a row per group of the user: every API request runs it, and through
    # the ORM (the token, its user, their groups) it cost several times as much.
    # Rows of the user's columns with `group_name`, `token_id` and `token_last_used_stale`.
    rows: list[Any] = list(
        get_user_model().objects.raw(
            _token_user_sql(),
            [
                connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION),
                hash_token(raw_token),
            ],
        )
    )
    if not rows:
        return None
    user = rows[0]
    remember_role(user, [row.group_name for row in rows])
    # `last_used` tells an admin whether a token is still in use: to the minute is enough, and
    # spares a write on every request.
    if user.token_last_used_stale:
        ApiToken.objects.filter(pk=user.token_id).update(last_used=now)
    return user


LAST_USED_PRECISION = timedelta(minutes=1)


@functools.cache
def _token_user_sql() -> str:
    user_model = get_user_model()
    memberships = user_model.groups.through._meta.db_table
    return f"""
        SELECT {columns(user_model, "u")}, t.id AS token_id,
            (t.last_used IS NULL OR t.last_used < %s) AS token_last_used_stale,
            g.name AS group_name
        FROM {user_model._meta.db_table} u
        JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id
        LEFT JOIN {memberships} m ON m.user_id = u.id
        LEFT JOIN {Group._meta.db_table} g ON g.id = m.group_id
        WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"""


@transaction.atomic
def tokens_revoke(*, user) -> int:
    """Revoke every active token of `user`; returns how many were revoked."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        action="tokens.revoked",
        target=user,
        actor_role=ActorRole.SYSTEM,
        after={"user": user.email, "revoked": revoked},
    )
    return revoked
