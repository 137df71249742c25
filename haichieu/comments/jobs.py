"""The yearly comment round of a large organisation in the background (issue 14).

Opening the round for more members than the setting JOB_ROUND_MEMBERS (a whole province) goes to the
worker, which opens it unit by unit: each workplace organisation directly under the chosen one in
its own `open_comment_round` call (one transaction each, audited as the user who asked), the bar
moving one unit at a time. A unit already done is skipped by the rule itself (members already asked
this year), so a round stopped half-way is finished by opening it again.
"""

import datetime

from django.conf import settings
from django.urls import reverse

from haichieu.core.services import ServiceError
from haichieu.jobs.services import JobFailed, Outcome, register
from haichieu.members.models import Member
from haichieu.organizations.models import Organization
from haichieu.organizations.selectors import organization_children

from . import rules, services

ROUND_KIND = "comment_round"


def round_in_background(org: Organization) -> bool:
    """The round of `org` goes to the worker: its subtree holds more members than the setting."""
    limit = int(settings.HAICHIEU.get("JOB_ROUND_MEMBERS", 5000))
    return Member.objects.filter(org.subtree_q("workplace_cell__path")).count() > limit


def round_units(org: Organization) -> list[Organization]:
    """The workplace organisations directly under `org` (each with its subtree), or `org` alone."""
    children = [c for c in organization_children(org) if not c.is_residential]
    return children or [org]


@register(ROUND_KIND)
def run_round(job, progress) -> Outcome:
    params = job.params
    org = Organization.objects.filter(pk=params["org"]).first()
    if org is None:
        raise JobFailed("Tổ chức đảng đã chọn không còn.")
    year, deadline = int(params["year"]), datetime.date.fromisoformat(params["deadline"])
    today = datetime.date.fromisoformat(params["today"])
    units = round_units(org)
    results = []
    for done, unit in enumerate(units):
        progress(done, len(units), f"Đang mở đợt cho {unit.name} ({done + 1}/{len(units)}).")
        try:
            results.append(
                services.open_comment_round(
                    actor=job.owner, org=unit, year=year, deadline=deadline, today=today
                )
            )
        except ServiceError as exc:
            raise JobFailed(
                f"{exc.message} Đã mở xong {done}/{len(units)} đơn vị; mở lại đợt để làm tiếp "
                "(những đảng viên đã được gửi phiếu không bị gửi lại)."
            ) from exc
    progress(len(units), len(units), "")
    return Outcome(
        message=round_message(services.round_results_sum(results), year=year),
        url=f"{reverse('comments:progress')}?year={year}",
    )


def round_message(result: services.RoundResult, *, year: int) -> str:
    """What the user reads once the round is open (the page's message, the job's outcome)."""
    left_out = "; ".join(f"{rules.Skip(r).label}: {n}" for r, n in result.skipped.items() if n)
    return (
        f"Đã gửi {result.created} phiếu lấy ý kiến nhận xét năm {year} đến {result.cells} chi bộ nơi cư trú."
        + (f" Không gửi: {left_out}." if left_out else "")
    )
