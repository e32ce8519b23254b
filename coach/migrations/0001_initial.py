import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import coach.profile


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Conversation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "phase",
                    models.CharField(
                        choices=[
                            ("gathering", "Gathering"),
                            ("recommending", "Recommending"),
                            ("recommended", "Recommended"),
                            ("escalated", "Escalated"),
                            ("closed", "Closed"),
                        ],
                        default="gathering",
                        max_length=16,
                    ),
                ),
                ("profile", models.JSONField(default=coach.profile.empty_profile)),
                ("created", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "family",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created"]},
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("seq", models.PositiveIntegerField()),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("family", "Family"),
                            ("coach", "Coach"),
                            ("counselor", "Counselor"),
                            ("system", "System"),
                        ],
                        max_length=16,
                    ),
                ),
                ("text", models.TextField()),
                ("asks", models.JSONField(blank=True, default=list)),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "conversation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="coach.conversation",
                    ),
                ),
                (
                    "reply_to",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reply",
                        to="coach.message",
                    ),
                ),
            ],
            options={
                "ordering": ["seq"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("conversation", "seq"), name="message_unique_position"
                    )
                ],
            },
        ),
    ]
