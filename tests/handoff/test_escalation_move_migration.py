"""The escalation record's move from the handoff app to the coach (coach/migrations/0010,
handoff/migrations/0003) keeps what is keyed by its content type: the object permission a
counselor was given on an escalation before the move still holds after it, and after undoing it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coach.models import Escalation

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("coach", "0009_readable_approval_status"), ("handoff", "0002_readable_labels")]


def state_before_the_move(executor: MigrationExecutor):
    """The models just before the move, with every other app as it is now."""
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in MOVED_BY]
    return executor.loader.project_state(others + BEFORE_THE_MOVE).apps


MOVED_BY = ("coach", "handoff")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A fresh executor reads what is applied now, for the caller's historical models.
    return MigrationExecutor(connection)


@pytest.fixture
def before_the_move():
    """The database as it was before the move; put back to the latest migrations afterwards."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = migrate(BEFORE_THE_MOVE)
    yield state_before_the_move(executor)
    migrate(latest)
    ContentType.objects.clear_cache()


@pytest.fixture
def counselor_allowed_on_an_escalation(before_the_move):
    """An escalation in the handoff app, its counselor holding `change_escalation` on it."""
    apps = before_the_move
    users = apps.get_model(*get_user_model()._meta.label.split("."))
    family = users.objects.create(username="fam", email="fam@example.org")
    counselor = users.objects.create(username="carol", email="carol@example.org")
    conversation = apps.get_model("coach", "Conversation").objects.create(family=family)
    escalation = apps.get_model("handoff", "Escalation").objects.create(
        conversation=conversation, reason="requested", packet={}
    )
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="handoff", model="escalation"
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="change_escalation", defaults={"name": "Can change"}
    )
    apps.get_model("guardian", "UserObjectPermission").objects.create(
        user=counselor, permission=permission, content_type=content_type, object_pk=escalation.pk
    )
    return counselor.pk, escalation.pk


def test_a_counselors_permission_on_an_escalation_survives_the_move(
    counselor_allowed_on_an_escalation,
):
    counselor_id, escalation_id = counselor_allowed_on_an_escalation
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    counselor = get_user_model().objects.get(pk=counselor_id)
    assert counselor.has_perm("coach.change_escalation", Escalation.objects.get(pk=escalation_id))


def test_undoing_the_move_gives_the_permission_back_to_the_handoff_app(
    counselor_allowed_on_an_escalation,
):
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    migrate(BEFORE_THE_MOVE)
    owners = ContentType.objects.filter(
        model="escalation", permission__codename="change_escalation"
    ).values_list("app_label", flat=True)
    assert list(owners) == ["handoff"]
