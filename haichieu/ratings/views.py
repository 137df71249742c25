"""The yearly rating pages (workplace side only, issue 12): the list of an organisation's members
for a year, the form per member, the .xlsx list for the rating meeting. Every residence user and
every other organisation: 404 (access.rating_org_get_for, access.rating_member_get_for)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from haichieu.access import rating_member_get_for, rating_org_get_for, scope_for
from haichieu.core.forms import add_service_error
from haichieu.core.paging import page_size
from haichieu.core.replica import reads_from_replica
from haichieu.core.services import ServiceError

from . import rules, selectors, services
from .exports import meeting_list_export
from .forms import RatingForm


@login_required
def rating_list(request, org_pk, year):
    org = rating_org_get_for(request.user, org_pk)
    scheme = rules.scheme_for(year)
    page = selectors.rating_page(
        request.user,
        org=org,
        year=year,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=page_size(request),
    )
    scope = scope_for(request.user)
    return render(
        request,
        "ratings/list.html",
        {
            "org": org,
            "year": year,
            "scheme": scheme,
            "page": page,
            "writable": {m.pk for m in page.rows if scope.may_write_path(m.workplace_cell.path)},
        },
    )


@login_required
@reads_from_replica
def rating_xlsx(request, org_pk, year):
    org = rating_org_get_for(request.user, org_pk)  # 404 first, for GET and POST alike
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    scheme = rules.scheme_for(year)
    return meeting_list_export(
        actor=request.user,
        members=selectors.rating_rows(request.user, org=org, year=year),
        org=org,
        year=year,
        scheme_name=scheme.name if scheme else f"chưa có cách xếp loại năm {year}",
    )


@login_required
def rating_form(request, org_pk, year, pk):
    org = rating_org_get_for(request.user, org_pk)
    member = rating_member_get_for(request.user, pk, org=org, write=True)
    scheme = rules.scheme_for(year)
    rating = selectors.member_rating(request.user, member, year)
    exempt = rules.is_exempt(member, year)
    context = {
        "org": org,
        "year": year,
        "member": member,
        "scheme": scheme,
        "rating": rating,
        "exempt": exempt,
    }
    # The residence's comment of the year stands beside the rating, with its flags (issue 12).
    selectors.attach_residence_comments(request.user, [member], year)
    if scheme is None:
        return render(request, "ratings/form.html", context)
    levels = scheme.level_list  # type: ignore[attr-defined]
    conditions = rules.conditions_of(levels)
    initial = {}
    if rating is not None and not rating.exempt:
        initial = {
            "score": f"{rating.score}".replace(".", ","),
            "conditions": rating.conditions_met,
            "note": rating.note,
        }
    elif rating is not None:
        initial = {"note": rating.note}
    if request.method == "POST":
        form = RatingForm(request.POST, conditions=conditions, exempt=exempt)
        if form.is_valid() and "preview" in request.POST and not exempt:
            # "Xem mức xếp loại": the level the one rule gives, shown before anything is saved.
            try:
                context["preview"] = rules.decide_level(
                    levels, score=form.cleaned_data["score"], conditions_met=form.cleaned_data["conditions"]
                )
            except rules.SchemeIncomplete as exc:
                form.add_error(None, str(exc))
        elif form.is_valid():
            try:
                rating = services.rating_record(
                    actor=request.user,
                    member=member,
                    year=year,
                    score=form.cleaned_data["score"],
                    conditions_met=form.cleaned_data["conditions"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if rating.exempt:
                    messages.success(
                        request, f"Đã ghi: {member.full_name} được miễn, không xếp loại năm {year}."
                    )
                else:
                    messages.success(
                        request,
                        f"Đã ghi xếp loại năm {year} của {member.full_name}: {rating.level.label} "
                        f"({str(rating.score).replace('.', ',')} điểm).",
                    )
                return redirect("ratings:list", org_pk=org.pk, year=year)
    else:
        form = RatingForm(initial=initial, conditions=conditions, exempt=exempt)
    context.update(form=form, levels=levels, conditions=conditions)
    return render(request, "ratings/form.html", context)
