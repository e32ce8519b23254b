"""Writing to the audit log. Callers record inside the transaction of the write they describe,
so a write and its audit entry are committed, or rolled back, together."""

from typing import Any
from uuid import UUID

from django.db.models import Model

from aviator.audit.models import ActorRole, AuditEntry
from aviator.roles import role_of


def actor_role_of(user) -> ActorRole:
    role = role_of(user)
    return ActorRole(role) if role else ActorRole.SYSTEM


def audit_record(
    *,
    action: str,
    target: Model,
    actor=None,
    actor_role: ActorRole | None = None,
    conversation_id: UUID | str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry. Without a person (`actor`), the coach acted unless `actor_role` says."""
    entry = _entry(
        action=action,
        target=target,
        actor=actor,
        actor_role=actor_role,
        conversation_id=conversation_id,
        before=before,
        after=after,
    )
    entry.save()
    return entry


def audit_record_each(entries: list[dict[str, Any]]) -> None:
    """Append several entries in one insert; each is the keyword arguments of `audit_record`."""
    AuditEntry.objects.bulk_create([_entry(**entry) for entry in entries])


def _entry(
    *, action, target, actor=None, actor_role=None, conversation_id=None, before=None, after=None
) -> AuditEntry:
    if actor_role is None:
        actor_role = actor_role_of(actor) if actor is not None else ActorRole.COACH
    return AuditEntry(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        actor_role=actor_role,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        conversation_id=conversation_id,
        before=before,
        after=after,
    )


def audit_transcript_view(*, viewer, conversation, via: str) -> AuditEntry:
    """A staff member looked at a family's transcript (`via`: which page or socket)."""
    return audit_record(
        action="transcript.viewed",
        target=conversation,
        actor=viewer,
        conversation_id=conversation.pk,
        after={"via": via},
    )
