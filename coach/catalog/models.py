from django.db import models


class College(models.Model):
    """A U.S. four-year college from the College Scorecard (see data/README.md for the fields)."""

    unitid = models.PositiveIntegerField(primary_key=True)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, db_index=True)
    control = models.CharField(max_length=20)
    locale = models.PositiveSmallIntegerField(null=True, blank=True)
    predominant_degree = models.PositiveSmallIntegerField()
    main_campus = models.BooleanField()
    online_only = models.BooleanField()
    undergrad_size = models.PositiveIntegerField(null=True, blank=True)
    admission_rate = models.FloatField(null=True, blank=True)
    sat_avg = models.PositiveSmallIntegerField(null=True, blank=True)
    sat_math_25 = models.PositiveSmallIntegerField(null=True, blank=True)
    sat_math_75 = models.PositiveSmallIntegerField(null=True, blank=True)
    sat_read_25 = models.PositiveSmallIntegerField(null=True, blank=True)
    sat_read_75 = models.PositiveSmallIntegerField(null=True, blank=True)
    act_25 = models.PositiveSmallIntegerField(null=True, blank=True)
    act_75 = models.PositiveSmallIntegerField(null=True, blank=True)
    tuition_in_state = models.IntegerField(null=True, blank=True)
    tuition_out_of_state = models.IntegerField(null=True, blank=True)
    cost_of_attendance = models.IntegerField(null=True, blank=True)
    # Net prices can be negative: grants above cost are published as they are.
    net_price = models.IntegerField(null=True, blank=True)
    net_price_0_30k = models.IntegerField(null=True, blank=True)
    net_price_30_48k = models.IntegerField(null=True, blank=True)
    net_price_48_75k = models.IntegerField(null=True, blank=True)
    net_price_75_110k = models.IntegerField(null=True, blank=True)
    net_price_110k_plus = models.IntegerField(null=True, blank=True)
    completion_rate = models.FloatField(null=True, blank=True)
    median_earnings_10y = models.IntegerField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Share of awards per field (the pcip_* columns, keyed by the profile's major vocabulary).
    program_shares = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"
