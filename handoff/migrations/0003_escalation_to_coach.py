"""The escalation record now belongs to the coach (coach/migrations/0010 takes it over, table and
rows as they are); the counselors' notes point at it there.

The content type is renamed rather than replaced, so what is keyed by it follows the record: the
object permissions given to counselors (django-guardian rows), the model permissions and the
admin's history."""

import django.db.models.deletion
from django.db import migrations, models


def content_type_to_coach(apps, schema_editor):
    _move_content_type(apps, schema_editor, old="handoff", new="coach")


def content_type_to_handoff(apps, schema_editor):
    _move_content_type(apps, schema_editor, old="coach", new="handoff")


def _move_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    moving = content_types.filter(app_label=old, model="escalation").first()
    if moving is None:
        return  # A fresh database: content types are made after migrating.
    # A migrate run that stopped between the two halves of the move made an empty one under the
    # new name; the record keeps its own (with its permissions and history).
    content_types.filter(app_label=new, model="escalation").delete()
    moving.app_label = new
    moving.save(update_fields=["app_label"])


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0002_readable_labels"),
        ("coach", "0010_escalation_from_handoff"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="escalationnote",
                    name="escalation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="coach.escalation",
                    ),
                ),
                migrations.DeleteModel(name="Escalation"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_coach, content_type_to_handoff),
    ]
