import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coach.profile import empty_profile


class Phase(models.TextChoices):
    GATHERING = "gathering"
    RECOMMENDING = "recommending"
    RECOMMENDED = "recommended"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.GATHERING)
    # The profile as of the last finished turn (DESIGN.md §3 slots), for pages and the API.
    profile = models.JSONField(default=empty_profile)
    # The transcript position through which the coach's turns have run: a family message after it
    # still waits for its turn (queued or running on a worker), which makes the conversation busy.
    turns_done_through = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    # Not columns: what the turn lock reads with the row (`conversation_locked` in
    # coach/transcript.py says what each means). Only the rows it returns carry them.
    last_seq: int
    answered_by_coach: int
    last_counselor_seq: int
    answered_through: int
    tool_underway: bool
    counselor_holds: bool
    approval_unfinished: bool

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Conversation {self.id} ({self.family}, {self.phase})"


class Role(models.TextChoices):
    FAMILY = "family"
    COACH = "coach"
    COUNSELOR = "counselor"
    SYSTEM = "system"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Position in the conversation: timestamps can tie, and the transcript order must not.
    seq = models.PositiveIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices)
    text = models.TextField()
    asks = models.JSONField(default=list, blank=True)
    # A coach reply points at the last family message it answers; at most one reply per message,
    # so a turn replayed after a crash cannot store a second reply.
    reply_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reply"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.seq} in {self.conversation_id}"


class Provenance(models.TextChoices):
    STATED = "stated"
    INFERRED = "inferred"
    STAFF = "staff"


class ProfileFact(models.Model):
    """One entry of the fact ledger: a slot's value as of a turn, with where it came from.

    The newest row per slot is the current value; older rows are its history (corrections keep it).
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="facts")
    slot = models.CharField(max_length=20)
    value = models.JSONField()
    previous_value = models.JSONField(null=True, blank=True)
    provenance = models.CharField(max_length=10, choices=Provenance.choices)
    confidence = models.FloatField()
    # How the family put it when the value alone loses something: an income bracket, a weighted
    # GPA's scale, the other majors named (see coach.language.base.ExtractedFact.detail).
    detail = models.JSONField(null=True, blank=True)
    source_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="facts"
    )
    turn = models.PositiveIntegerField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "slot", "id"]
        indexes = [models.Index(fields=["conversation", "slot"])]

    def __str__(self) -> str:
        return f"{self.slot}={self.value!r} ({self.provenance}, turn {self.turn})"


class DecisionTrace(models.Model):
    """Why the coach did what it did: one row per graph step of every turn."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="traces")
    turn = models.PositiveIntegerField()
    step = models.PositiveSmallIntegerField()
    node = models.CharField(max_length=20)
    decision = models.CharField(max_length=60)
    reason = models.TextField()
    score = models.FloatField(null=True, blank=True)
    slots_before = models.JSONField(default=dict)
    slots_after = models.JSONField(default=dict)
    latency_ms = models.FloatField()
    details = models.JSONField(default=dict)
    reply = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="traces"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "turn", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "turn", "step"], name="trace_unique_step"
            )
        ]

    def __str__(self) -> str:
        return f"turn {self.turn} {self.node}: {self.decision}"


class ToolCallStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# A tool call still to finish: while one is, the coach waits for it before answering anything.
TOOL_CALL_UNDERWAY = (ToolCallStatus.QUEUED, ToolCallStatus.RUNNING)


class ToolCall(models.Model):
    """A tool the coach graph paused for, run as a Celery task and resumed exactly once.

    `key` (conversation, turn, tool) is also the Celery task id: a redelivered or repeated task
    finds the call done and does nothing.
    """

    key = models.CharField(max_length=120, unique=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="tool_calls"
    )
    turn = models.PositiveIntegerField()
    tool = models.CharField(max_length=40)
    interrupt_id = models.CharField(max_length=64)
    payload = models.JSONField()
    # The family message the turn answers: the coach's reply points at it once the tool is done.
    family_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ToolCallStatus.choices, default=ToolCallStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at"]

    def __str__(self) -> str:
        return f"{self.tool} for turn {self.turn} ({self.status})"


class Shortlist(models.Model):
    """The colleges recommended on a turn; the newest one is the conversation's current list."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="shortlists"
    )
    turn = models.PositiveIntegerField()
    items = models.JSONField()
    qualifying = models.PositiveIntegerField()
    explanation = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "-created"]

    def __str__(self) -> str:
        return f"{len(self.items)} colleges for turn {self.turn}"


class SavedCollege(models.Model):
    """A college a family keeps on "My list"."""

    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_colleges"
    )
    college = models.ForeignKey("catalog.College", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(fields=["family", "college"], name="saved_college_once")
        ]

    def __str__(self) -> str:
        return f"{self.college_id} saved by {self.family_id}"


class ApprovalKind(models.TextChoices):
    SAVE_LIST = "save_list", "Save the list to My list"
    SEND_EMAIL = "send_email", "E-mail the list to the family"
    FACT_OVERWRITE = "fact_overwrite", "Replace a confirmed fact"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "waiting for the family"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "declined"
    EXPIRED = "expired", "expired"
    # The family wrote something else instead of answering: nothing is written.
    SUPERSEDED = "superseded", "passed over (the family wrote something else)"


class Approval(models.Model):
    """A durable write the coach proposed, paused at an `interrupt()` until the family decides.

    `key` (conversation, turn, kind) makes the proposal idempotent; `executed_at` and
    `resumed_at` make the write and the graph's resumption happen once, even when the decision
    is repeated or the process dies in between (the approvals sweep finishes the job).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=120, unique=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="approvals"
    )
    turn = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    proposed = models.JSONField()
    summary = models.TextField()
    # The coach asks; the family (the conversation's owner) decides.
    requested_by = models.CharField(max_length=20, default="coach")
    interrupt_id = models.CharField(max_length=64)
    checkpoint_id = models.CharField(max_length=64)
    family_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    # For e-mails: when the message left (delivery retries after the write is committed).
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(status="pending"),
                name="one_pending_approval_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class EscalationReason(models.TextChoices):
    """Why the coach handed a conversation to the counselors."""

    REQUESTED = "requested", "Asked for a counselor"
    CRISIS = "crisis", "Safety concern"
    STUCK = "stuck", "The coach got stuck"
    TOOL_FAILURE = "tool_failure", "The college search failed"
    OUT_OF_LANE = "out_of_lane", "Outside what the coach does"
    LOW_CONFIDENCE = "low_confidence", "The coach was unsure"


class HandoffState(models.TextChoices):
    """DESIGN.md §6: bot → waiting_for_human → human → (bot again on hand-back | closed)."""

    WAITING_FOR_HUMAN = "waiting_for_human", "Waiting for a counselor"
    HUMAN = "human", "With a counselor"
    BOT = "bot", "Handed back to the coach"
    CLOSED = "closed", "Closed"


OPEN_STATES = (HandoffState.WAITING_FOR_HUMAN, HandoffState.HUMAN)


# Time to the first human reply, by priority (DESIGN.md §6 SLA clocks).
FIRST_REPLY_SLA = {True: timedelta(minutes=5), False: timedelta(minutes=15)}
RESOLUTION_SLA = timedelta(hours=24)


class Escalation(models.Model):
    """A conversation handed to the counselors, with the packet they need to take over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="escalations"
    )
    reason = models.CharField(max_length=20, choices=EscalationReason.choices)
    urgent = models.BooleanField(default=False)
    state = models.CharField(
        max_length=20, choices=HandoffState.choices, default=HandoffState.WAITING_FOR_HUMAN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    # The typed handoff packet (coach.escalation_packet.HandoffPacket) as stored JSON.
    packet = models.JSONField()
    # SLA clocks start here and are never reset by automatic messages.
    created = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_human_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Its table keeps the name it had when the record lived in the handoff app.
        db_table = "handoff_escalation"
        ordering = ["-urgent", "created"]
        constraints = [
            # At most one open escalation per conversation.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(state__in=["waiting_for_human", "human"]),
                name="one_open_escalation_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} escalation of {self.conversation_id} ({self.state})"

    @property
    def first_reply_due(self) -> datetime:
        """When a counselor should have written to the family, at the latest."""
        return self.created + FIRST_REPLY_SLA[self.urgent]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
