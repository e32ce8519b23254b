"""Reads for the coach app. Access to a conversation always goes through these doors."""

from django.http import Http404

from aviator.roles import Role, role_of
from aviator.sql import columns, first_row, key
from coach.models import Conversation


def conversation_for_family(*, user, conversation_id) -> Conversation:
    """The family's own conversation, or 404: another family's does not exist for them."""
    if not user.is_authenticated:
        raise Http404("No such conversation.")
    # SQL rather than the ORM: every family request and message comes through here, and the ORM
    # cost several times the query itself.
    conversation = first_row(
        Conversation, _FAMILY_CONVERSATION_SQL, [key(Conversation, conversation_id), user.pk]
    )
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


_FAMILY_CONVERSATION_SQL = f"""
    SELECT {columns(Conversation, "c")} FROM {Conversation._meta.db_table} c
    WHERE c.id = %s AND c.family_id = %s"""


def conversations_of_family(*, user):
    return Conversation.objects.filter(family=user).order_by("-created")


def conversation_for_staff(*, user, conversation_id) -> Conversation:
    """A conversation a staff member may read, or 404: admins read every transcript; a counselor
    only those escalated to them (the object permission granted when they claimed it)."""
    if role_of(user) not in (Role.COUNSELOR, Role.ADMIN):
        raise Http404("No such conversation.")
    conversation = Conversation.objects.select_related("family").filter(pk=conversation_id).first()
    if conversation is None:
        raise Http404("No such conversation.")
    if role_of(user) == Role.ADMIN or user.has_perm("coach.view_conversation", conversation):
        return conversation
    raise Http404("No such conversation.")


def turns_done_through(conversation: Conversation) -> int:
    """How far the coach's turns have run in the conversation's transcript (see the model)."""
    return (
        Conversation.objects.filter(pk=conversation.pk)
        .values_list("turns_done_through", flat=True)
        .first()
        or 0
    )
