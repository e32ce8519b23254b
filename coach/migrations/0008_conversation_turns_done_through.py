from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def mark_existing_turns_done(apps, schema_editor):
    """Conversations from before turns ran on workers were answered in the request that stored
    each message: everything already in them has had its turn."""
    Conversation = apps.get_model("coach", "Conversation")
    Message = apps.get_model("coach", "Message")
    last_seq = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .values("conversation")
        .annotate(last=Max("seq"))
        .values("last")
    )
    Conversation.objects.update(turns_done_through=Coalesce(Subquery(last_seq), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("coach", "0007_profilefact_detail"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="turns_done_through",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(mark_existing_turns_done, migrations.RunPython.noop),
    ]
