"""`/metrics` in the Prometheus text format, for staff (session) or a staff bearer token.

Every number is read from the database at scrape time, so web, worker and beat processes all
count without a shared metrics store.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from aviator.jsonapi import bearer_user
from coach.consumers import OPEN_SOCKETS_KEY
from coach.guard import GUARDRAIL_SIGNALS
from coach.models import Approval, Conversation, DecisionTrace, ToolCall
from handoff.models import Escalation
from handoff.selectors import is_staff_member

LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
QUESTION_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 8, 10)


def _labels(**labels: str) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{str(value).replace(chr(34), "")}"' for key, value in labels.items())
    return "{" + inner + "}"


def _histogram(name: str, help_text: str, values: Iterable[float], buckets) -> list[str]:
    values = list(values)
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for bound in buckets:
        lines.append(f'{name}_bucket{{le="{bound}"}} {sum(v <= bound for v in values)}')
    lines += [
        f'{name}_bucket{{le="+Inf"}} {len(values)}',
        f"{name}_sum {sum(values)}",
        f"{name}_count {len(values)}",
    ]
    return lines


def _counter(name: str, help_text: str, samples: Iterable[tuple[dict, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
    lines += [f"{name}{_labels(**labels)} {value}" for labels, value in samples]
    return lines


def _gauge(name: str, help_text: str, value: float) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value}"]


def metrics_text() -> str:
    turn_latencies = DecisionTrace.objects.values("conversation", "turn").annotate(
        total=Sum("latency_ms")
    )
    asked_before_list = (
        Conversation.objects.filter(phase="recommended")
        .annotate(asked=Count("traces", filter=Q(traces__node="ask")))
        .values_list("asked", flat=True)
    )
    guard_steps = DecisionTrace.objects.filter(node="guard", decision="flag").values_list(
        "details", flat=True
    )
    guardrails: dict[str, int] = {}
    for details in guard_steps:
        # A request for a person rides along in the signals, but it is not a guardrail.
        for signal in GUARDRAIL_SIGNALS.intersection(details.get("signals", [])):
            guardrails[signal] = guardrails.get(signal, 0) + 1
    lines: list[str] = []
    lines += _counter(
        "aviator_turns_total",
        "Coach turns run.",
        [({}, DecisionTrace.objects.filter(node="guard").count())],
    )
    lines += _histogram(
        "aviator_turn_latency_ms",
        "Time the graph steps of a turn took.",
        (row["total"] for row in turn_latencies),
        LATENCY_BUCKETS_MS,
    )
    lines += _histogram(
        "aviator_questions_before_recommendation",
        "Questions the coach asked in conversations that reached a recommendation.",
        asked_before_list,
        QUESTION_BUCKETS,
    )
    lines += _counter(
        "aviator_escalations_total",
        "Escalations to a counselor, by reason.",
        [
            ({"reason": row["reason"]}, row["n"])
            for row in Escalation.objects.values("reason").annotate(n=Count("id"))
        ],
    )
    lines += _counter(
        "aviator_guardrail_triggers_total",
        "Guardrails triggered (crisis, injection, homework), by signal.",
        [({"signal": signal}, n) for signal, n in sorted(guardrails.items())],
    )
    lines += _counter(
        "aviator_tool_calls_total",
        "Tool calls, by tool and outcome.",
        [
            ({"tool": row["tool"], "status": row["status"]}, row["n"])
            for row in ToolCall.objects.values("tool", "status").annotate(n=Count("id"))
        ],
    )
    retries = ToolCall.objects.aggregate(n=Sum(F("attempts") - 1))["n"] or 0
    lines += _counter("aviator_tool_retries_total", "Tool runs beyond the first.", [({}, retries)])
    lines += _gauge(
        "aviator_tool_queue_depth",
        "Tool calls waiting for a worker.",
        ToolCall.objects.filter(status="queued").count(),
    )
    lines += _counter(
        "aviator_approvals_total",
        "Writes the coach proposed, by kind and outcome.",
        [
            ({"kind": row["kind"], "status": row["status"]}, row["n"])
            for row in Approval.objects.values("kind", "status").annotate(n=Count("id"))
        ],
    )
    lines += _gauge(
        "aviator_websocket_connections",
        "Chat and staff sockets open now (family and counselor pages).",
        cache.get(OPEN_SOCKETS_KEY, 0),
    )
    lines += _gauge(
        "aviator_escalations_open",
        "Escalations waiting for or held by a counselor.",
        Escalation.objects.filter(state__in=["waiting_for_human", "human"]).count(),
    )
    return "\n".join(lines) + "\n"


@require_GET
def metrics(request):
    user = request.user if request.user.is_authenticated else bearer_user(request)
    if user is None:
        return JsonResponse(
            {"error": {"code": "unauthenticated", "message": "Staff login or token required."}},
            status=401,
        )
    if not is_staff_member(user):
        return JsonResponse({"error": {"code": "forbidden", "message": "Staff only."}}, status=403)
    return HttpResponse(metrics_text(), content_type="text/plain; version=0.0.4")
