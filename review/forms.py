from django import forms

from coach.models import EscalationReason, Phase
from review.models import Verdict
from review.transcripts import ReviewFilters


class ReviewFilterForm(forms.Form):
    phase = forms.ChoiceField(choices=[("", "any phase"), *Phase.choices], required=False)
    escalation = forms.ChoiceField(
        choices=[("", "escalated or not"), ("any", "escalated"), ("none", "never escalated")]
        + [(value, f"escalated: {label}") for value, label in EscalationReason.choices],
        required=False,
    )
    guardrail = forms.BooleanField(label="guardrail fired", required=False)
    tool_trouble = forms.BooleanField(label="tool retried or failed", required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    min_questions = forms.IntegerField(label="questions ≥", min_value=0, required=False)
    max_questions = forms.IntegerField(label="questions ≤", min_value=0, required=False)
    verdict = forms.ChoiceField(choices=[("", "any label"), *Verdict.choices], required=False)
    search = forms.CharField(label="search", max_length=200, required=False)

    def filters(self) -> ReviewFilters:
        """The filters to apply; an invalid field is left out (the form says why)."""
        if not self.is_bound:
            return ReviewFilters()
        self.is_valid()
        given = {
            name: value
            for name, value in self.cleaned_data.items()
            if value is not None and value != "" and value is not False
        }
        return ReviewFilters(**given)


class LabelForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
