"""Per-family quotas (messages a minute, conversations a day), checked at every door a family
uses: the API, the chat socket and the pages. Counted from the stored rows themselves, so they
hold across processes and restarts with nothing extra to keep. Staff are never limited here."""

import math
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from aviator.ratelimit import RateLimited
from aviator.roles import Role, role_of
from coach.models import Conversation, Message
from coach.models import Role as Speaker


def _enforce(user, limit_th_since, *, limit: int, window: timedelta, now, explain: str) -> None:
    """Raise RateLimited if the family already did `limit` things in `window`; staff are never
    held. `limit_th_since(cutoff, limit)` is the time of the family's `limit`-th most recent
    action since the cutoff, or None when they did fewer: one row whatever they did."""
    if role_of(user) != Role.FAMILY:
        return
    now = now or timezone.now()
    oldest_counted = limit_th_since(now - window, limit)
    if oldest_counted is None:
        return
    # Allowed again once the oldest action that counts against the limit leaves the window.
    retry_after = max(1, math.ceil((oldest_counted + window - now).total_seconds()))
    raise RateLimited(explain.format(limit=limit, retry_after=retry_after), retry_after)


def message_quota_check(*, user, now=None) -> None:
    _enforce(
        user,
        lambda since, limit: next(
            (
                message.created
                for message in Message.objects.raw(
                    _LIMIT_TH_FAMILY_MESSAGE_SQL,
                    [
                        user.pk,
                        Speaker.FAMILY,
                        connection.ops.adapt_datetimefield_value(since),
                        limit - 1,
                    ],
                )
            ),
            None,
        ),
        limit=settings.FAMILY_MESSAGES_PER_MINUTE,
        window=timedelta(minutes=1),
        now=now,
        explain="That's more than {limit} messages in a minute; nothing was sent. "
        "Please wait {retry_after} seconds and send it again.",
    )


# SQL rather than the ORM: every family message is checked, and building this join through the
# ORM cost several times running it.
_LIMIT_TH_FAMILY_MESSAGE_SQL = f"""
    SELECT m.id, m.created
    FROM {Message._meta.db_table} m
    JOIN {Conversation._meta.db_table} c ON c.id = m.conversation_id
    WHERE c.family_id = %s AND m.role = %s AND m.created > %s
    ORDER BY m.created DESC
    LIMIT 1 OFFSET %s"""


def conversation_quota_check(*, user, now=None) -> None:
    _enforce(
        user,
        lambda since, limit: (
            Conversation.objects.filter(family=user, created__gt=since)
            .order_by("-created")
            .values_list("created", flat=True)[limit - 1 : limit]
            .first()
        ),
        limit=settings.FAMILY_CONVERSATIONS_PER_DAY,
        window=timedelta(days=1),
        now=now,
        explain="You can start up to {limit} conversations a day. "
        "Please continue an existing one, or try again in {retry_after} seconds.",
    )
