"""Where a residence's yearly comment and the facts disagree (issue 12): flags shown to the workplace
beside the rating, never blocking it. The seeds' complaint is that comments are copied from last
year and "nể nang" (too polite to say anything); each flag names one sign of it, in a sentence:

- `MEETINGS_VS_ATTENDANCE`: the meetings criterion at its top level ("Tham gia đầy đủ") while the
  member's residence attendance that year is below the minimum (meetings.rules.below_minimum_q,
  MIN_ATTENDED_PER_YEAR), counted as the comment form's facts count it (selectors.comment_facts:
  the member's residence invitations of the year, exempt and unmarked ones left out);
- `SAME_TEXT_AS_LAST_YEAR`: the free text the same as the member's yearly comment of the year
  before, whitespace and case aside;
- `ALL_TOP_IN_CELL`: the residential cell put every criterion at the top level for every member it
  commented on that year (at least ALL_TOP_MIN_COMMENTS answered yearly comments). It counts the
  cell's comments on every workplace's members; the sentence names no count and no other member.

`flags_for(requests, year)` computes them for a whole list in at most three queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from haichieu.meetings import rules as meeting_rules
from haichieu.meetings.models import Attendance
from haichieu.meetings.selectors import attended_q, expected_q

from .models import Comment, CommentRequest, Criterion

# A cell with fewer answered yearly comments than this is not flagged for putting all at the top.
ALL_TOP_MIN_COMMENTS = 2
TOP_LEVEL = 1


@dataclass(frozen=True)
class Flag:
    """One disagreement between a comment and the facts, as the workplace reads it."""

    code: str
    text: str


MEETINGS_VS_ATTENDANCE = "meetings_vs_attendance"
SAME_TEXT_AS_LAST_YEAR = "same_text_as_last_year"
ALL_TOP_IN_CELL = "all_top_in_cell"


def normalised(text: str) -> str:
    """The text compared for "the same as last year": whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def _answers(comment: Comment) -> list:
    return list(comment.answers.all())  # prefetched by the caller


def _meetings_at_top(comment: Comment):
    """The comment's answer on the meetings criterion when it is at the top level, else None."""
    for answer in _answers(comment):
        if answer.criterion.key == Criterion.MEETINGS and answer.level == TOP_LEVEL:
            return answer
    return None


def _all_top(comment: Comment) -> bool:
    answers = _answers(comment)
    return bool(answers) and all(a.level == TOP_LEVEL for a in answers)


def _below_minimum(member_ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """{member id: (attended, expected)} of the members below the year's minimum (one query)."""
    if not member_ids:
        return {}
    rows = (
        Attendance.objects.filter(
            member_id__in=member_ids, source=Attendance.Source.LIAISON, meeting__date__year=year
        )
        .values("member_id")
        .annotate(
            n_expected=Count("pk", filter=expected_q("")), n_attended=Count("pk", filter=attended_q(""))
        )
        .filter(meeting_rules.below_minimum_q(attended="n_attended", expected="n_expected"))
        .order_by()
    )
    return {r["member_id"]: (r["n_attended"], r["n_expected"]) for r in rows}


def _last_years_texts(member_ids: list[int], year: int) -> dict[int, str]:
    """{member id: the normalised text of their yearly comment of `year` - 1} (one query)."""
    if not member_ids:
        return {}
    rows = Comment.objects.filter(
        request__member_id__in=member_ids,
        request__year=year - 1,
        request__purpose=CommentRequest.Purpose.YEARLY,
    ).values_list("request__member_id", "text")
    return {member_id: normalised(text) for member_id, text in rows}


def _cells_all_top(cell_ids: set[int], year: int) -> set[int]:
    """The cells among `cell_ids` whose every answered yearly comment of `year` has every criterion
    at the top level, with at least ALL_TOP_MIN_COMMENTS of them (one query)."""
    if not cell_ids:
        return set()
    rows = (
        Comment.objects.filter(
            request__cell_id__in=cell_ids,
            request__year=year,
            request__purpose=CommentRequest.Purpose.YEARLY,
            request__state=CommentRequest.State.ANSWERED,
        )
        .values("request__cell_id")
        .annotate(
            comments=Count("pk", distinct=True),
            below_top=Count("answers", filter=~Q(answers__level=TOP_LEVEL)),
        )
        .filter(comments__gte=ALL_TOP_MIN_COMMENTS, below_top=0)
        .order_by()
    )
    return {r["request__cell_id"] for r in rows}


def flags_for(requests: Sequence[CommentRequest], year: int) -> dict[int, list[Flag]]:
    """{member id: flags} for the answered yearly requests of `year` among `requests`, each with
    `comment` (its `answers` and their `criterion` prefetched) and `cell` loaded. Members without a
    flag are left out. At most three queries, whatever the number of requests."""
    answered = [
        r
        for r in requests
        if r.state == CommentRequest.State.ANSWERED and getattr(r, "comment", None) is not None
    ]
    meetings_top = {r.member_id: answer for r in answered if (answer := _meetings_at_top(r.comment))}
    below = _below_minimum(sorted(meetings_top), year)
    last_year = _last_years_texts(sorted(r.member_id for r in answered), year)
    all_top_cells = _cells_all_top({r.cell_id for r in answered if _all_top(r.comment)}, year)

    found: dict[int, list[Flag]] = {}
    for r in answered:
        flags = []
        if r.member_id in below:
            attended, expected = below[r.member_id]
            label = meetings_top[r.member_id].criterion.level_label(TOP_LEVEL)
            flags.append(
                Flag(
                    MEETINGS_VS_ATTENDANCE,
                    f"Nhận xét ghi “{label}” ở tiêu chí sinh hoạt, nhưng năm {year} đồng chí chỉ dự "
                    f"{attended}/{expected} buổi sinh hoạt ở nơi cư trú được mời "
                    f"(tối thiểu {meeting_rules.minimum_attended()} buổi).",
                )
            )
        previous = last_year.get(r.member_id)
        if previous is not None and previous == normalised(r.comment.text):
            flags.append(
                Flag(
                    SAME_TEXT_AS_LAST_YEAR,
                    f"Nội dung nhận xét năm {year} giống hệt nhận xét năm {year - 1}.",
                )
            )
        if r.cell_id in all_top_cells:
            flags.append(
                Flag(
                    ALL_TOP_IN_CELL,
                    f"{r.cell.name} xếp mức cao nhất ở mọi tiêu chí cho mọi đảng viên đã nhận xét "
                    f"năm {year}: cần xem nhận xét có phản ánh đúng thực tế.",
                )
            )
        if flags:
            found[r.member_id] = flags
    return found
