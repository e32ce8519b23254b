"""The escalation record moves from the handoff app to the coach (the coach opens escalations; the
counselors' inbox above it works them). Only Django's picture of the models changes: the table
keeps its name and its rows. handoff/migrations/0003 finishes the move (and renames the content
type)."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coach", "0009_readable_approval_status"),
        ("handoff", "0002_readable_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Escalation",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("requested", "Asked for a counselor"),
                                    ("crisis", "Safety concern"),
                                    ("stuck", "The coach got stuck"),
                                    ("tool_failure", "The college search failed"),
                                    ("out_of_lane", "Outside what the coach does"),
                                    ("low_confidence", "The coach was unsure"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("urgent", models.BooleanField(default=False)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("waiting_for_human", "Waiting for a counselor"),
                                    ("human", "With a counselor"),
                                    ("bot", "Handed back to the coach"),
                                    ("closed", "Closed"),
                                ],
                                default="waiting_for_human",
                                max_length=20,
                            ),
                        ),
                        ("packet", models.JSONField()),
                        (
                            "created",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("first_human_reply_at", models.DateTimeField(blank=True, null=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("overdue_notified_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="escalations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "conversation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalations",
                                to="coach.conversation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "handoff_escalation",
                        "ordering": ["-urgent", "created"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("state__in", ["waiting_for_human", "human"])),
                                fields=("conversation",),
                                name="one_open_escalation_per_conversation",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
