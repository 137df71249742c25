"""The yearly review report (báo cáo sơ kết/tổng kết công tác thực hiện Quy định 213) of an
organisation: its figures and its children's, the commendation list and the lists of members not
introduced, excused and exempt (issue 13). `report_data` reads them (the statistics' and the
comments' figures through selectors.score_table, and a constant number of queries whatever the size
of the tree: each list is read up to LIST_LIMIT rows, the rest counted);
`report_context` makes them the plain data of the Word template (document_kinds.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from docx.document import Document as DocxDocument

from haichieu.comments.models import CommentAnswer, CommentRequest
from haichieu.core import documents as layout
from haichieu.core.audit import audit_record
from haichieu.exemptions.models import Exemption
from haichieu.liaisons import rules as liaison_rules
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

from . import selectors
from .score import Score

REPORT_KINDS = {"so-ket": "Sơ kết", "tong-ket": "Tổng kết"}
# A list longer than this prints its first rows and the number of the others (the page lists them
# all): a province's report stays a document, not a register.
LIST_LIMIT = 500
# The comment criterion whose first level proposes the member for commendation ("Đề nghị":
# "Biểu dương", migration comments 0002).
PROPOSAL_KEY, COMMENDATION_LEVEL = "proposal", 1


def default_kind(year: int, today: datetime.date) -> str:
    """Sơ kết while the year runs, tổng kết once it is over."""
    return "so-ket" if today.year <= year else "tong-ket"


@dataclass
class MemberList:
    members: list[Member] = field(default_factory=list)
    more: int = 0  # members beyond LIST_LIMIT


@dataclass
class ReportData:
    org: Organization
    year: int
    on: datetime.date
    kind: str
    scores: selectors.ScoreTable  # with the statistics' and the comments' figures of each row
    commended: MemberList
    not_introduced: MemberList
    excused: MemberList
    exempt: list[Exemption]
    exempt_more: int


def _members_of(org: Organization) -> QuerySet[Member]:
    return Member.objects.filter(
        org.subtree_q("workplace_cell__path"), status__in=Member.ACTIVE_STATUSES
    ).select_related("workplace_cell")


def _limited(members: QuerySet[Member]) -> MemberList:
    rows = list(members.order_by("sort_key", "pk")[: LIST_LIMIT + 1])
    if len(rows) <= LIST_LIMIT:
        return MemberList(rows)
    return MemberList(rows[:LIST_LIMIT], members.count() - LIST_LIMIT)


def commended_q(year: int) -> Q:
    """Comment answers of `year` proposing the member for commendation ("Biểu dương")."""
    return Q(
        criterion__key=PROPOSAL_KEY,
        level=COMMENDATION_LEVEL,
        comment__request__year=year,
        comment__request__state=CommentRequest.State.ANSWERED,
    )


def commended_members(org: Organization, year: int) -> QuerySet[Member]:
    """The members of `org`'s subtree (its own, or linked to its residential cells) that a residential
    cell proposed for commendation in `year`'s comments."""
    answers = CommentAnswer.objects.filter(commended_q(year)).filter(
        org.subtree_q("comment__request__member__workplace_cell__path")
        | org.subtree_q("comment__request__cell__path")
    )
    return Member.objects.filter(pk__in=answers.values("comment__request__member_id")).select_related(
        "workplace_cell"
    )


def report_data(org: Organization, *, year: int, on: datetime.date, kind: str) -> ReportData:
    """Everything the report prints of `org` (one the user reads) for `year` as of `on`."""
    start, end = selectors.year_bounds(year)
    scores = selectors.score_table(org, year=year, on=on)
    members = _members_of(org)
    exemptions = (
        Exemption.objects.in_force_during(start, min(end, on))
        .filter(org.subtree_q("member__workplace_cell__path"))
        .select_related("member", "member__workplace_cell")
        .order_by("member__sort_key", "member_id", "start_date")
    )
    exempt = list(exemptions[: LIST_LIMIT + 1])
    exempt_more = exemptions.count() - LIST_LIMIT if len(exempt) > LIST_LIMIT else 0
    return ReportData(
        org=org,
        year=year,
        on=on,
        kind=kind,
        scores=scores,
        commended=_limited(commended_members(org, year)),
        not_introduced=_limited(liaison_rules.to_introduce(members)),
        excused=_limited(
            liaison_rules.working(members).filter(
                liaison_rules.category_rule_q(liaison_rules.CategoryRule.EXCUSED)
            )
        ),
        exempt=exempt[:LIST_LIMIT],
        exempt_more=exempt_more,
    )


# --- the Word document's data ---------------------------------------------------------------------
def percent(numerator: int, denominator: int) -> str:
    """'87,5%' (Vietnamese decimal comma), '—' when there is nothing to count."""
    if not denominator:
        return "—"
    return f"{100 * numerator / denominator:.1f}".replace(".", ",") + "%"


def score_text(score: Score) -> str:
    value = score.value
    return "chưa có số liệu" if value is None else f"{value:.1f}".replace(".", ",")


def _more(count: int) -> str:
    return f"Và {count} đồng chí khác (xem danh sách trên phần mềm)." if count else ""


def _cell_of(member: Member) -> str:
    return member.workplace_cell.name


def report_context(data: ReportData, *, today: datetime.date) -> dict:
    """The report's plain data (document_kinds.PLACEHOLDERS names each key)."""
    org, table = data.org, data.scores
    names = layout.header_names(org)
    figures = table.figures[org.pk]
    comments = table.comments[org.pk]
    linked = {part.component.key: part for part in table.total.parts}["attendance"]
    rows = []
    for number, score in enumerate(table.children, start=1):
        child = table.figures[score.org.pk]
        child_comments = table.comments[score.org.pk]
        rows.append({
            "number": number,
            "name": score.org.name,
            "to_introduce": child.coverage["to_introduce"],
            "introduced": child.covered,
            "coverage_rate": percent(child.covered, child.coverage["to_introduce"]),
            "meetings": f"{child.meetings_held}/{child.meetings_expected}",
            "attendance_rate": percent(child.attended, child.expected),
            "comments": percent(child_comments.on_time, child_comments.due),
            "score": score_text(score),
        })  # fmt: skip
    kind_label = REPORT_KINDS[data.kind]
    return {
        "number": f"Số {layout.BLANK}-BC/{org.abbreviation}" if org.abbreviation else f"Số {layout.BLANK}-BC",
        "date": today,
        "date_line": layout.vietnamese_date_line(names["place"], today),
        "issuer": {
            "superior": names["superior_name"],
            "name": names["issuer_name"],
            "place": names["place"],
            "on_behalf": layout.on_behalf_for(org),
        },
        "kind": kind_label.lower(),
        "kind_title": layout.vn_upper(kind_label),
        "year": data.year,
        "next_year": data.year + 1,
        "as_of": data.on,
        "figures": {
            "members": figures.members,
            "working": figures.working,
            "not_introduced_category": figures.not_introduced,
            "to_introduce": figures.coverage["to_introduce"],
            "introduced": figures.covered,
            "coverage_rate": percent(figures.covered, figures.coverage["to_introduce"]),
            "received": figures.received,
            "active": figures.active,
            "returned": figures.returned,
            "not_yet": figures.not_yet,
            "excused": figures.excused,
            "overdue": figures.overdue,
            "meetings_held": figures.meetings_held,
            "meetings_expected": figures.meetings_expected,
            "attended": figures.attended,
            "expected": figures.expected,
            "attendance_rate": percent(figures.attended, figures.expected),
            "linked_attended": linked.numerator,
            "linked_expected": linked.denominator,
            "linked_rate": percent(linked.numerator, linked.denominator),
            "comments_on_time": comments.on_time,
            "comments_due": comments.due,
            "comments_rate": percent(comments.on_time, comments.due),
            "exempt": len(data.exempt) + data.exempt_more,
            "commended": len(data.commended.members) + data.commended.more,
            "score": score_text(table.total),
        },
        "rows": rows,
        "commended": [
            {"number": n, "full_name": m.full_name, "cell": _cell_of(m)}
            for n, m in enumerate(data.commended.members, start=1)
        ],
        "not_introduced": [
            {
                "number": n,
                "full_name": m.full_name,
                "cell": _cell_of(m),
                "status": m.get_link_status_display(),
            }
            for n, m in enumerate(data.not_introduced.members, start=1)
        ],
        "excused": [
            {
                "number": n,
                "full_name": m.full_name,
                "cell": _cell_of(m),
                "category": m.get_liaison_category_display(),
            }
            for n, m in enumerate(data.excused.members, start=1)
        ],
        "exempt": [
            {
                "number": n,
                "full_name": e.member.full_name,
                "cell": _cell_of(e.member),
                "reason": e.get_reason_display(),
                "period": f"{e.start_date:%d/%m/%Y} – {e.end_date:%d/%m/%Y}",
            }
            for n, e in enumerate(data.exempt, start=1)
        ],
        "more": {
            "commended": _more(data.commended.more),
            "not_introduced": _more(data.not_introduced.more),
            "excused": _more(data.excused.more),
            "exempt": _more(data.exempt_more),
        },
        "signer": {"title": "BÍ THƯ", "name": ""},
    }


def report_filename(org: Organization, year: int, kind: str) -> str:
    return f"Báo cáo {REPORT_KINDS[kind].lower()} Quy định 213 năm {year} - {org.name}.docx"


def report_response(*, actor, org: Organization, year: int, kind: str, doc: DocxDocument):
    """The report's download, recorded in the audit log."""
    note = f"Báo cáo {REPORT_KINDS[kind].lower()} thực hiện Quy định 213 năm {year} (.docx)"
    audit_record(actor=actor, action="export", target=org, note=note)
    return layout.docx_response(doc, report_filename(org, year, kind))
