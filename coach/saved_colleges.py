"""The family's list of colleges: save one from the current shortlist, take one off (audited)."""

from django.db import transaction

from aviator.audit.services import audit_record
from coach.models import Conversation, SavedCollege
from coach.services import InvalidMessage


def college_save(*, family, conversation: Conversation, unitid: int) -> SavedCollege:
    """Keep a recommended college on the family's list (saving twice keeps one entry).

    Only a college from this conversation's current shortlist can be saved from it.
    """
    shortlist = conversation.shortlists.order_by("-created").first()
    if shortlist is None or unitid not in {item["unitid"] for item in shortlist.items}:
        raise InvalidMessage("not_recommended", "Only a college on the current list can be saved.")
    with transaction.atomic():
        saved, created = SavedCollege.objects.get_or_create(
            family=family, college_id=unitid, defaults={"conversation": conversation}
        )
        if created:
            audit_record(
                action="college.saved",
                target=saved,
                actor=family,
                conversation_id=conversation.id,
                after={"unitid": unitid},
            )
    return saved


def college_unsave(*, family, unitid: int) -> bool:
    """Take a college off the family's list (audited); whether it was on it."""
    with transaction.atomic():
        saved = SavedCollege.objects.select_for_update().filter(family=family, college_id=unitid)
        entry = saved.first()
        if entry is None:
            return False
        audit_record(
            action="college.removed",
            target=entry,
            actor=family,
            conversation_id=entry.conversation_id,
            before={"unitid": unitid},
        )
        entry.delete()
    return True
