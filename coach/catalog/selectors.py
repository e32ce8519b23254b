"""Reads of the catalog, as plain records for the pure ranking."""

import threading
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from coach.catalog.models import College
from coach.catalog.records import CollegeRecord

_lock = threading.Lock()
_cache: dict[str, Any] = {"version": None, "records": ()}


def _record(college: College) -> CollegeRecord:
    sat_25 = sat_75 = None
    if college.sat_math_25 and college.sat_read_25:
        sat_25 = college.sat_math_25 + college.sat_read_25
    if college.sat_math_75 and college.sat_read_75:
        sat_75 = college.sat_math_75 + college.sat_read_75
    return CollegeRecord(
        unitid=college.unitid,
        name=college.name,
        city=college.city,
        state=college.state,
        control=college.control,
        predominant_degree=college.predominant_degree,
        locale=college.locale,
        undergrad_size=college.undergrad_size,
        admission_rate=college.admission_rate,
        sat_avg=college.sat_avg,
        sat_25=sat_25,
        sat_75=sat_75,
        act_25=college.act_25,
        act_75=college.act_75,
        tuition_in_state=college.tuition_in_state,
        tuition_out_of_state=college.tuition_out_of_state,
        net_price=college.net_price,
        net_price_by_income=(
            college.net_price_0_30k,
            college.net_price_30_48k,
            college.net_price_48_75k,
            college.net_price_75_110k,
            college.net_price_110k_plus,
        ),
        completion_rate=college.completion_rate,
        median_earnings=college.median_earnings_10y,
        url=college.url,
        online_only=college.online_only,
        main_campus=college.main_campus,
        program_shares=dict(college.program_shares),
    )


def catalog_records() -> tuple[CollegeRecord, ...]:
    """Every college, cached per process until the catalog changes (one cheap query to check).

    Reads go through `settings.CATALOG_DB_ALIAS`: in production a role that may SELECT the catalog
    and nothing else (DESIGN.md §6)."""
    colleges = College.objects.using(settings.CATALOG_DB_ALIAS)
    version = tuple(colleges.aggregate(count=Count("unitid"), latest=Max("updated")).values())
    with _lock:
        if _cache["version"] != version:
            _cache["records"] = tuple(_record(college) for college in colleges.all())
            _cache["version"] = version
        return _cache["records"]
