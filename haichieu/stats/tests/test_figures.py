"""The statistics of a province with known numbers (issue 13): every figure today and as of an
earlier day, the drill-down, the summary tables against the live counts, and the query counts."""

import datetime

import pytest

from haichieu.exemptions.models import Exemption
from haichieu.liaisons.models import Digest
from haichieu.meetings import selectors as meeting_selectors
from haichieu.meetings.models import Attendance, Meeting
from haichieu.members.models import Member
from haichieu.stats import figures
from haichieu.stats.summary import statistics_refresh
from haichieu.stats.tests.known import EARLIER, TODAY, at, more_children

pytestmark = pytest.mark.django_db

D = datetime.date
LS = Member.LinkStatus


def _plain(f: figures.Figures) -> dict:
    """Every figure of `f` by name (what the page and the export show)."""
    return {
        "members": f.members,
        "working": f.working,
        "to_introduce": f.coverage["to_introduce"],
        "introduced": f.introduced,
        "received": f.received,
        "active": f.active,
        "returned": f.returned,
        "not_yet": f.not_yet,
        "covered": f.covered,
        "excused": f.excused,
        "not_introduced": f.not_introduced,
        "coverage_rate": f.coverage_rate,
        "introduction_overdue": f.introduction_overdue,
        "reception_overdue": f.reception_overdue,
        "digests_overdue": f.digests_overdue,
        "cells": f.cells,
        "cells_below": f.cells_below,
        "meetings_held": f.meetings_held,
        "meetings_expected": f.meetings_expected,
        "expected": f.expected,
        "attended": f.attended,
        "attendance_rate": f.attendance_rate,
        "exemptions": f.exemptions,
    }


TODAY_PROVINCE = {
    "members": 8,
    "working": 7,
    "to_introduce": 6,  # m5 is not introduced
    "introduced": 1,  # m3
    "received": 1,  # m4
    "active": 1,  # m1
    "returned": 1,  # m6
    "not_yet": 3,  # m2, m6, m7
    "covered": 3,  # m1, m3, m4
    "excused": 1,  # m4
    "not_introduced": 1,  # m5
    "coverage_rate": 50.0,
    "introduction_overdue": 3,  # m2, m6 (returned 10/05), m7 (admitted 01/09)
    "reception_overdue": 1,  # m3's introduction
    "digests_overdue": 1,
    "cells": 6,
    "cells_below": 5,  # all but R1C1
    "meetings_held": 2,
    "meetings_expected": 12,
    "expected": 4,
    "attended": 3,
    "attendance_rate": 75.0,
    "exemptions": {"age_health": 1, "far_work": 1},
}

EARLIER_PROVINCE = {
    "members": 7,  # m7 not yet admitted
    "working": 6,
    "to_introduce": 5,
    "introduced": 0,
    "received": 1,  # m4
    "active": 1,  # m1
    "returned": 1,  # m6
    "not_yet": 3,  # m2, m3 (no link yet), m6
    "covered": 2,
    "excused": 1,
    "not_introduced": 1,
    "coverage_rate": 40.0,
    # m2 and m6; m3's link (introduced since) leaves it out: overdue work is read on today's links.
    "introduction_overdue": 2,
    "reception_overdue": 0,  # m3's deadline was 31/08
    "digests_overdue": 1,
    "cells": 6,
    "cells_below": 6,
    "meetings_held": 1,
    "meetings_expected": 12,
    "expected": 2,
    "attended": 1,
    "attendance_rate": 50.0,
    "exemptions": {"age_health": 1},  # m6's starts 01/07
}


def test_every_figure_of_the_province_today(province):
    assert _plain(figures.organization_figures(province.province)) == TODAY_PROVINCE


def test_every_figure_of_the_province_as_of_an_earlier_day(province):
    assert _plain(figures.organization_figures(province.province, on=EARLIER)) == EARLIER_PROVINCE


def test_the_day_before_anything_happened_counts_no_link(province):
    f = figures.organization_figures(province.province, on=D(2026, 1, 1))
    assert (f.members, f.covered, f.not_yet, f.meetings_held, f.exemptions_total) == (7, 0, 5, 0, 1)
    assert f.coverage["by_status"][LS.NONE] == 6


def test_counted_from_the_event_dates_today_gives_the_kept_counts(province):
    """The earlier-day path (members and their links' dates) and the kept counts agree on the last
    day every event had happened."""
    kept = _plain(figures.organization_figures(province.province))
    dated = _plain(figures.organization_figures(province.province, on=TODAY - datetime.timedelta(days=1)))
    assert {
        k: dated[k] for k in ("members", "working", "to_introduce", "covered", "not_yet", "returned")
    } == {k: kept[k] for k in ("members", "working", "to_introduce", "covered", "not_yet", "returned")}


def test_the_drill_down_sorts_the_children_worst_first_each_over_its_subtree(province):
    w = province
    rows = figures.children_figures(w.province)
    assert [row.org.code for row in rows][0] == "W1"  # 1 of 4 introduced
    by_code = {row.org.code: row for row in rows}
    assert set(by_code) == {"W1", "W2", "R1", "R2"}
    assert (by_code["W1"].members, by_code["W1"].coverage_rate, by_code["W1"].introduction_overdue) == (
        5,
        25.0,
        3,
    )
    assert by_code["W1"].digests_overdue == 1
    assert by_code["W1"].exemptions == {"age_health": 1, "far_work": 1}
    assert (by_code["W2"].members, by_code["W2"].coverage_rate, by_code["W2"].reception_overdue) == (
        2,
        100.0,
        1,
    )
    # The residence side counts the introduction waiting at its committee; the workplace side its member's.
    assert by_code["R2"].reception_overdue == 1 and by_code["R1"].reception_overdue == 0
    assert (by_code["R1"].members, by_code["R1"].working, by_code["R1"].attended, by_code["R1"].expected) == (
        1,
        0,
        3,
        4,
    )
    # The province's total is not the rows' sum for the receptions: it counts on its own side.
    assert figures.organization_figures(w.province).reception_overdue == 1


def test_a_cell_has_no_children_and_its_own_figures(province):
    w = province
    total, children = figures.organization_and_children(w.w1c1)
    assert children == []
    assert (total.members, total.covered, total.not_introduced, total.introduction_overdue) == (3, 1, 1, 1)


def test_an_inactive_child_is_left_out_of_the_table_but_not_of_the_total(province):
    w = province
    w.w2.is_active = False
    w.w2.save(update_fields=["is_active"])
    total, children = figures.organization_and_children(w.province)
    assert "W2" not in {row.org.code for row in children}
    assert total.members == 8


def test_the_summary_gives_the_live_counts_and_its_moment(province):
    """Refreshed, the overdue work and the months come from the summary tables; until something
    changes they are the live counts, and the figures say when they were made."""
    w = province
    live = {
        org.code: _plain(figures.organization_figures(org)) for org in (w.province, w.w1, w.w2, w.r2, w.w1c1)
    }
    live_children = [_plain(row) for row in figures.children_figures(w.province)]
    live_months = figures.monthly(w.province)
    statistics_refresh(on=TODAY)
    freshness = figures.Freshness()
    total, children = figures.organization_and_children(w.province, freshness=freshness)
    assert freshness.summary_at is not None
    assert _plain(total) == live["TU"]
    assert [_plain(row) for row in children] == live_children
    for org in (w.w1, w.w2, w.r2, w.w1c1):
        assert _plain(figures.organization_figures(org)) == live[org.code]
    assert figures.monthly(w.province) == live_months
    # A summary of another day is not read: counted live again.
    statistics_refresh(on=TODAY - datetime.timedelta(days=1))
    freshness = figures.Freshness()
    figures.organization_and_children(w.province, freshness=freshness)
    assert freshness.summary_at is None


def test_the_summary_is_stale_until_the_next_refresh_and_says_so(province):
    w = province
    statistics_refresh(on=TODAY)
    Member.objects.filter(pk=w.m2.pk).update(status=Member.Status.DECEASED)
    freshness = figures.Freshness()
    total, _ = figures.organization_and_children(w.province, freshness=freshness)
    assert total.members == 7  # kept by the database with the write
    assert total.introduction_overdue == 3 and freshness.summary_at is not None  # the summary's moment
    statistics_refresh(on=TODAY)
    assert figures.organization_figures(w.province).introduction_overdue == 2


def test_the_meetings_and_exemptions_come_from_the_summary_until_the_next_refresh(province):
    """The year's attendance is a million marks at 100,000 members: refreshed, the cells, meetings
    and marks of the statistics page are the summary's (its moment shown), counted again by the
    next refresh."""
    w = province
    statistics_refresh(on=TODAY)
    mark = Attendance.objects.get(meeting__date=D(2026, 4, 10), status=Attendance.Status.EXCUSED)
    Attendance.objects.filter(pk=mark.pk).update(status=Attendance.Status.PRESENT)
    Meeting.objects.filter(cell=w.r1c1, date=D(2026, 10, 10)).update(state=Meeting.State.PLANNED)
    Exemption.objects.filter(member=w.m2).delete()
    freshness = figures.Freshness()
    total, _ = figures.organization_and_children(w.province, freshness=freshness)
    assert freshness.summary_at is not None
    assert (total.meetings_held, total.expected, total.attended) == (2, 4, 3)
    assert total.exemptions_total == 2
    assert figures.monthly(w.province)["attendance"][3] == 50.0
    statistics_refresh(on=TODAY)
    total = figures.organization_figures(w.province)
    assert (total.meetings_held, total.expected, total.attended) == (1, 2, 2)
    assert total.exemptions == {Exemption.Reason.FAR_WORK: 1}
    months = figures.monthly(w.province)
    assert months["attendance"][3] == 100.0 and months["attendance"][9] is None
    assert (figures.organization_figures(w.r1c1).cells_below, figures.organization_figures(w.w1).cells) == (
        1,
        2,
    )


def test_the_months_count_introductions_receptions_and_attendance(province):
    w = province
    months = figures.monthly(w.province)
    assert months["months"][0] == "01/2026" and months["months"][-1] == "12/2026"
    assert months["introduced"][:8] == [1, 0, 1, 0, 1, 0, 0, 1]  # m4, m1, m6, m3
    assert months["received"][:3] == [1, 0, 1]
    assert months["attendance"][3] == 50.0 and months["attendance"][9] == 100.0
    assert months["attendance"][0] is None
    residence = figures.monthly(w.r2)  # the residence side: introductions sent to it
    assert residence["introduced"][0] == 1 and residence["introduced"][7] == 1


@pytest.mark.parametrize("on", [None, EARLIER])
def test_queries_do_not_grow_with_the_children(
    province, django_assert_max_num_queries, django_assert_num_queries, on
):
    w = province
    with django_assert_max_num_queries(11) as small:
        figures.organization_and_children(w.w1, on=on)
    more_children(w, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        total, children = figures.organization_and_children(w.w1, on=on)
    assert len(children) == 7


def test_the_summary_reads_in_fewer_queries(province, django_assert_max_num_queries):
    statistics_refresh(on=TODAY)
    # The children, the kept coverage counts, the summary's rows.
    with django_assert_max_num_queries(3):
        figures.organization_and_children(province.province)


def test_a_digest_sent_in_time_is_not_overdue(province):
    w = province
    Digest.objects.create(sender_org=w.w1, recipient_org=w.r1, year=2026, period=1, sent_at=at(D(2026, 4, 2)))
    assert figures.organization_figures(w.province).digests_overdue == 0
    # Sent after the earlier day: overdue then.
    Digest.objects.filter(sender_org=w.w1).update(sent_at=at(D(2026, 7, 2)))
    assert figures.organization_figures(w.province, on=EARLIER).digests_overdue == 1


def test_the_meetings_page_reads_the_same_summary_as_the_statistics(province):
    """/hop/so-lieu/ of this year: once refreshed, the summary's rows (the statistics page's), equal
    to the live count — members below the minimum on each side included —, stale until the next
    refresh; another year is counted."""
    w = province
    Attendance.objects.filter(member=w.m1).update(source=Attendance.Source.LIAISON)
    Attendance.objects.filter(member=w.m1, meeting__date=D(2026, 10, 10)).update(
        status=Attendance.Status.UNEXCUSED
    )

    def plain(result):
        return [
            (f.org.code, f.cells, f.cells_below, f.held, f.invited, f.expected, f.attended, f.below_minimum)
            for f in (result.total, *result.children)
        ]

    orgs = (w.province, w.w1, w.w1c1, w.r1, w.r1c1, w.r2)
    live = {org.code: plain(meeting_selectors.organization_figures(org, year=2026)) for org in orgs}
    assert live["TU"][0][-1] == 1 and dict((row[0], row[-1]) for row in live["TU"][1:])["R1"] == 1
    statistics_refresh(on=TODAY)
    for org in orgs:
        kept, summary_at = figures.meeting_year_figures(org, year=2026)
        assert summary_at is not None and plain(kept) == live[org.code]
    Attendance.objects.filter(member=w.m1).update(status=Attendance.Status.PRESENT)
    assert figures.meeting_year_figures(w.province, year=2026)[0].total.below_minimum == 1  # stale
    assert figures.meeting_year_figures(w.province, year=2025)[1] is None  # counted
    statistics_refresh(on=TODAY)
    assert figures.meeting_year_figures(w.province, year=2026)[0].total.below_minimum == 0
