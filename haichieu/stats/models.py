"""Summary tables of the statistics (issue 13): figures that live counting makes slow at 100,000
members and that no single write keeps (a deadline passes at midnight without any write) or that
group a whole year of attendance marks (the meetings' figures), kept by
the `refresh_statistics` command (summary.statistics_refresh) and read by figures.py with the
moment they were made, which the page shows ("số liệu đến 10:05").

The coverage counts need no summary: the database keeps them with every member write
(liaisons.CoverageCount)."""

from django.db import models


class OverdueSummary(models.Model):
    """One organisation's overdue work over its whole subtree, counted on `on` at `refreshed_at`."""

    # The drill-down reads a committee's children with their summaries in one join
    # (figures.ranked_children): hence the reverse name.
    org = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="overdue_summary"
    )
    on = models.DateField("ngày tính")
    refreshed_at = models.DateTimeField("cập nhật lúc")
    introduction_overdue = models.IntegerField(default=0)
    # Introductions past the commune's deadline: waiting at the subtree's committees (residence
    # side), and of the subtree's members (workplace side).
    reception_overdue_residence = models.IntegerField(default=0)
    reception_overdue_workplace = models.IntegerField(default=0)
    digests_overdue = models.IntegerField(default=0)
    # The cells' meetings of `on`'s year up to `on` (figures.Figures: the same names): active cells,
    # those below meetings.rules.expected_per_year, closed meetings held, and the invitations at
    # the subtree's closed meetings (marked and not exempt: `expected`; taking part: `attended`).
    # At 100,000 members the year's marks are ~a million rows: counted here, not on every page.
    cells = models.IntegerField(default=0)
    cells_below = models.IntegerField(default=0)
    meetings_held = models.IntegerField(default=0)
    invited = models.IntegerField(default=0)
    expected = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)
    # Linked members below the year's minimum (meetings.rules.below_minimum) on each side, as the
    # meetings' figures count them (meetings.selectors.organization_figures): invited through their
    # link at the subtree's residential cells, or the subtree's own members wherever they live.
    below_minimum_residence = models.IntegerField(default=0)
    below_minimum_workplace = models.IntegerField(default=0)
    # Those linked members' marks (counted in the rate; taken part), on each side (the 213 score's
    # attendance component, review.selectors).
    linked_expected_residence = models.IntegerField(default=0)
    linked_attended_residence = models.IntegerField(default=0)
    linked_expected_workplace = models.IntegerField(default=0)
    linked_attended_workplace = models.IntegerField(default=0)
    # The comment requests of `on`'s year made by `on` on each side, by cell (residence) and by the
    # members' workplace cells (workplace): {"residence"|"workplace": {count: n}} with the counts of
    # comments.figures.TIMELINESS_COUNTS (the 213 score's comments component); and under "progress"
    # the requests of the year the subtree sees as the progress page counts them, per commune
    # committee ({commune id: [answered, pending, overdue]}, stats.figures.comment_progress).
    comments = models.JSONField(default=dict)
    # The 213 score's receptions and change notices of `on`'s year as of `on` (review.selectors;
    # figures.reception_timeliness_counts, notice_timeliness_counts): introductions to the
    # subtree's committees due and answered in time; lists of changes its committees owed and sent
    # in time. Counted live, they read every link and notice of a province.
    receptions_due = models.IntegerField(default=0)
    receptions_in_time = models.IntegerField(default=0)
    notices_due = models.IntegerField(default=0)
    notices_in_time = models.IntegerField(default=0)
    # Exemptions in force on `on` of the subtree's active members, by reason ({reason: n}).
    exemptions = models.JSONField(default=dict)
    # The organisation's place among its parent's active children worst first (figures.Figures.
    # worst_first: its coverage from the kept counts at `refreshed_at`, the overdue work and the
    # attendance of this row; alike rows in the name's order), 0 the worst; None when inactive. A
    # committee of thousands of children pages its drill-down in this order (figures.ranked_children)
    # instead of ranking them all on every page.
    rank = models.IntegerField(null=True, blank=True)
    # Its parent at `refreshed_at`: the drill-down reads a committee's children in rank order from
    # the index summary_sibling_rank_idx (a range of it) instead of looking up each child's row.
    parent = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "số liệu việc quá hạn"
        verbose_name_plural = "số liệu việc quá hạn"
        indexes = [
            # A committee's children in the drill-down's order (figures.ranked_children): with each
            # child's row looked up by its id, 2,658 children cost 15 ms at 1,000,000 members.
            models.Index(fields=["parent", "on", "rank"], include=["org"], name="summary_sibling_rank_idx")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.on:%d/%m/%Y}"


class MonthlySummary(models.Model):
    """Introductions and receptions of links in one month over an organisation's whole subtree, on
    the workplace side (the members' cells) and on the residence side (the receiving committees)."""

    org = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("tháng")  # its first day
    refreshed_at = models.DateTimeField("cập nhật lúc")
    introduced_workplace = models.IntegerField(default=0)
    received_workplace = models.IntegerField(default=0)
    introduced_residence = models.IntegerField(default=0)
    received_residence = models.IntegerField(default=0)
    # Invitations at the subtree's cells' closed meetings of the month: counted in the rate, taken part.
    attendance_expected = models.IntegerField(default=0)
    attendance_attended = models.IntegerField(default=0)

    class Meta:
        verbose_name = "số liệu theo tháng"
        verbose_name_plural = "số liệu theo tháng"
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="monthly_summary_once")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%m/%Y}"
