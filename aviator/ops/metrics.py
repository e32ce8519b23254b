"""`/metrics` in the Prometheus text format (prometheus_client), for staff (session) or a staff
bearer token.

A custom collector reads the database at scrape time, so web, worker and beat processes all count
without a shared metrics store. Counters come only from the append-only audit log, so they never
go down; counts of rows that retention may prune are gauges, and the latency and question
distributions gauge histograms, their buckets counted in SQL (a scrape loads no turn into Python).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Sum
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    Metric,
)

from aviator.audit.models import AuditEntry
from aviator.jsonapi import bearer_token
from aviator.ops.models import Heartbeat
from aviator.realtime.consumers import OPEN_SOCKETS_KEY
from coach.guard import GUARDRAIL_SIGNALS
from coach.models import OPEN_STATES, Approval, Conversation, DecisionTrace, Escalation, ToolCall
from handoff.selectors import is_staff_member

LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
QUESTION_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 8, 10)


def _gauge_histogram(name: str, documentation: str, rows, value: str, buckets) -> Metric:
    """A gauge histogram of `value` over the rows of `rows` (a queryset), counted in one query."""
    # The annotation is counted, not the primary key: Django then aggregates over the grouped
    # rows in a subquery (one row per turn, not per step).
    counts = rows.aggregate(
        **{
            f"le_{index}": Count(value, filter=Q(**{f"{value}__lte": bound}))
            for index, bound in enumerate(buckets)
        },
        everything=Count(value),
        total=Sum(value),
    )
    cumulative = [(str(bound), counts[f"le_{index}"]) for index, bound in enumerate(buckets)]
    cumulative.append(("+Inf", counts["everything"]))
    return GaugeHistogramMetricFamily(
        name, documentation, buckets=cumulative, gsum_value=float(counts["total"] or 0)
    )


def _labelled(family, rows: Iterable[Mapping[str, Any]], labels: tuple[str, ...], value: str = "n"):
    for row in rows:
        family.add_metric([str(row[label]) for label in labels], row[value])
    return family


class AviatorCollector:
    """Everything `/metrics` reports, read from the database when scraped."""

    def collect(self) -> Iterable[Metric]:
        yield from self._counters()
        yield from self._stored()
        yield from self._distributions()
        yield from self._now()

    def _counters(self) -> Iterable[Metric]:
        audit = AuditEntry.objects
        yield _labelled(
            CounterMetricFamily(
                "aviator_escalations", "Escalations opened, by reason.", labels=["reason"]
            ),
            audit.filter(action="escalation.opened")
            .values(reason=F("after__reason"))
            .annotate(n=Count("id")),
            ("reason",),
        )
        yield _labelled(
            CounterMetricFamily(
                "aviator_approvals_decided",
                "Writes the coach proposed that were decided, by kind and outcome.",
                labels=["kind", "outcome"],
            ),
            audit.filter(action__startswith="approval.")
            .values(kind=F("after__kind"), outcome=F("after__status"))
            .annotate(n=Count("id")),
            ("kind", "outcome"),
        )

    def _stored(self) -> Iterable[Metric]:
        """Counts of rows retention may prune: gauges."""
        yield GaugeMetricFamily(
            "aviator_turns",
            "Coach turns stored (one guard step each).",
            value=DecisionTrace.objects.filter(node="guard").count(),
        )
        # The signals are a JSON list, which SQLite cannot search: the flagged steps (a small
        # share of turns) are read, their signals counted here.
        flagged: dict[str, int] = dict.fromkeys(sorted(GUARDRAIL_SIGNALS), 0)
        for details in DecisionTrace.objects.filter(node="guard", decision="flag").values_list(
            "details", flat=True
        ):
            for signal in GUARDRAIL_SIGNALS.intersection(details.get("signals", [])):
                flagged[signal] += 1
        guardrails = GaugeMetricFamily(
            "aviator_guardrail_flags",
            "Stored turns where a guardrail fired (crisis, injection, homework), by signal.",
            labels=["signal"],
        )
        for signal, count in flagged.items():
            guardrails.add_metric([signal], count)
        yield guardrails
        yield _labelled(
            GaugeMetricFamily(
                "aviator_tool_calls",
                "Tool calls stored, by tool and status.",
                labels=["tool", "status"],
            ),
            ToolCall.objects.values("tool", "status").annotate(n=Count("id")),
            ("tool", "status"),
        )
        yield GaugeMetricFamily(
            "aviator_tool_retries",
            "Tool runs beyond the first, over the stored tool calls.",
            value=ToolCall.objects.aggregate(n=Sum(F("attempts") - 1))["n"] or 0,
        )
        yield _labelled(
            GaugeMetricFamily(
                "aviator_approvals",
                "Approvals stored, by kind and status.",
                labels=["kind", "status"],
            ),
            Approval.objects.values("kind", "status").annotate(n=Count("id")),
            ("kind", "status"),
        )

    def _distributions(self) -> Iterable[Metric]:
        turn_totals = DecisionTrace.objects.values("conversation", "turn").annotate(
            total_ms=Sum("latency_ms")
        )
        yield _gauge_histogram(
            "aviator_turn_latency_ms",
            "Graph time of the stored turns, in milliseconds.",
            turn_totals,
            "total_ms",
            LATENCY_BUCKETS_MS,
        )
        asked = Conversation.objects.filter(phase="recommended").annotate(
            asked=Count("traces", filter=Q(traces__node="ask"))
        )
        yield _gauge_histogram(
            "aviator_questions_before_recommendation",
            "Questions the coach asked in conversations that reached a recommendation.",
            asked,
            "asked",
            QUESTION_BUCKETS,
        )

    def _now(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "aviator_tool_queue_depth",
            "Tool calls waiting for a worker.",
            value=ToolCall.objects.filter(status="queued").count(),
        )
        yield GaugeMetricFamily(
            "aviator_websocket_connections",
            "Chat and staff sockets open now (family and counselor pages).",
            value=cache.get(OPEN_SOCKETS_KEY, 0),
        )
        yield GaugeMetricFamily(
            "aviator_escalations_open",
            "Escalations waiting for or held by a counselor.",
            value=Escalation.objects.filter(state__in=OPEN_STATES).count(),
        )
        ages = GaugeMetricFamily(
            "aviator_heartbeat_age_seconds",
            "Seconds since the newest heartbeat of a Celery worker or of beat.",
            labels=["role"],
        )
        now = timezone.now()
        for row in Heartbeat.objects.values("role").annotate(newest=Max("beat_at")):
            ages.add_metric([row["role"]], (now - row["newest"]).total_seconds())
        yield ages


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AviatorCollector())
    return generate_latest(registry)


@require_GET
def metrics(request):
    user = request.user if request.user.is_authenticated else bearer_token(request)
    if user is None:
        return JsonResponse(
            {"error": {"code": "unauthenticated", "message": "Staff login or token required."}},
            status=401,
        )
    if not is_staff_member(user):
        return JsonResponse({"error": {"code": "forbidden", "message": "Staff only."}}, status=403)
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
