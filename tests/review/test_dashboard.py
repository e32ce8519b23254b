"""The admin dashboard: today's numbers, SLA breaches, drift alerts and small charts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aviator.audit.models import AuditEntry
from coach.models import Escalation
from review.dashboard import CHART_HEIGHT, bars
from review.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(db):
    now = timezone.now()
    return Alert.objects.create(
        signal="escalation_rate",
        recent_value=0.4,
        baseline_value=0.1,
        threshold=0.1,
        recent_start=now - timedelta(hours=24),
        recent_end=now,
        baseline_start=now - timedelta(days=15),
        details={"examples": []},
    )


def test_the_tallest_bar_fills_the_chart():
    assert [bar.height for bar in bars([("a", 2), ("b", 4)])] == [CHART_HEIGHT / 2, CHART_HEIGHT]


def test_labels_that_would_overlap_are_thinned():
    days = [(f"12-{day:02}", 1) for day in range(1, 15)]
    assert [bar.show_label for bar in bars(days)][-4:] == [False, True, False, True]


def test_labels_that_fit_are_all_shown():
    assert all(bar.show_label for bar in bars([(str(n), n) for n in range(9)]))


def test_every_bar_is_listed_in_the_charts_data_table(admin_client, recommended):
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert page.count('<tr><th scope="row">') == 14 + 9


def test_no_points_draw_no_bars():
    assert bars([]) == []


def test_all_zero_points_draw_flat_bars():
    assert {bar.height for bar in bars([("a", 0), ("b", 0)])} == {0}


def test_it_counts_todays_conversations(admin_client, recommended):
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert '<dd id="started-today">1</dd>' in page


def test_it_shows_the_recommendation_rate(admin_client, recommended):
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert '<dd id="recommendation-rate">100%</dd>' in page


def test_it_counts_escalations_past_their_sla(admin_client, escalated):
    Escalation.objects.filter(pk=escalated.pk).update(created=timezone.now() - timedelta(hours=1))
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert '<dd id="sla-breaches">1</dd>' in page


def test_it_shows_open_alerts(admin_client, alert):
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert "<strong>escalation_rate</strong>: 0.100 → 0.400" in page


def test_an_acknowledged_alert_leaves_the_dashboard(admin_client, alert):
    admin_client.post(f"/staff/dashboard/alerts/{alert.id}/acknowledge/")
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert (
        "escalation_rate" in page,
        AuditEntry.objects.filter(action="alert.acknowledged").count(),
    ) == (
        False,
        1,
    )


def test_the_charts_are_drawn_as_svg(admin_client, recommended):
    page = admin_client.get("/staff/dashboard/").content.decode()
    assert page.count('class="bar"') == 14 + 9


def test_counselors_cannot_see_the_dashboard(client, counselor_carol):
    client.force_login(counselor_carol)
    assert client.get("/staff/dashboard/").status_code == 404
