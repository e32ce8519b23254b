"""Writes for accounts: users with a role, and API tokens."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from aviator.accounts.models import ApiToken, hash_token
from aviator.accounts.roles import Role
from aviator.audit.models import ActorRole
from aviator.audit.services import audit_record

TOKEN_PREFIX = "avt_"


@transaction.atomic
def user_create(*, email: str, password: str | None, role: Role):
    """Create a user whose login is their e-mail address, in the group of `role`.

    Staff roles get Django's `is_staff` so they can reach the staff pages; admins are superusers.
    """
    user_model = get_user_model()
    user = user_model(username=email.lower(), email=email.lower())
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
    """The active user owning `raw_token`, or None."""
    token = (
        ApiToken.objects.select_related("user")
        # The request asks for the user's role more than once (quota, log): one query for all.
        .prefetch_related("user__groups")
        .filter(key_hash=hash_token(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # `last_used` tells an admin whether a token is still in use: to the minute is enough, and
    # spares a write on every request.
    if token.last_used is None or now - token.last_used >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


LAST_USED_PRECISION = timedelta(minutes=1)


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
