import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobQuerySet(models.QuerySet):
    def of(self, user):
        """The jobs `user` asked for (nobody sees another user's)."""
        return self.filter(owner=user)

    def light(self):
        """Without the files (the list and the progress page never read them)."""
        return self.defer("input_data", "result_data")


class Job(models.Model):
    """One piece of background work a user asked for, with its progress and its result."""

    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang chạy"
        DONE = "done", "Hoàn thành"
        FAILED = "failed", "Không thành công"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người yêu cầu", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("loại việc", max_length=40)
    title = models.CharField("việc", max_length=255)
    params = models.JSONField("tham số", default=dict, blank=True)
    # The file the work reads (an uploaded workbook), kept in the database: any app server may
    # enqueue, any worker may run it.
    input_name = models.CharField("tệp đầu vào", max_length=255, blank=True)
    input_data = models.BinaryField("nội dung tệp đầu vào", null=True, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.QUEUED)
    # The worker running it (its heartbeat row, core.WorkerHeartbeat): a job whose worker stopped
    # beating is failed by `services.fail_abandoned`.
    worker_id = models.CharField("tiến trình nền", max_length=64, blank=True)
    done = models.PositiveIntegerField("đã xong", default=0)
    total = models.PositiveIntegerField("tổng số", default=0)
    message = models.CharField("thông báo", max_length=1000, blank=True)
    # What the user gets: a page to go to, and/or a file to download until `expires_at`.
    result_url = models.CharField("trang kết quả", max_length=255, blank=True)
    result_name = models.CharField("tệp kết quả", max_length=255, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    result_data = models.BinaryField("nội dung tệp kết quả", null=True, blank=True)
    created_at = models.DateTimeField("lúc yêu cầu", auto_now_add=True)
    started_at = models.DateTimeField("lúc bắt đầu", null=True, blank=True)
    finished_at = models.DateTimeField("lúc xong", null=True, blank=True)
    expires_at = models.DateTimeField("giữ kết quả đến", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "việc chạy nền"
        verbose_name_plural = "việc chạy nền"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="jobs_owner_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def has_file(self) -> bool:
        """A result file is there to download (and not yet past its keeping time)."""
        return bool(self.result_name) and (self.expires_at is None or self.expires_at > timezone.now())


def result_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    hours = int(settings.HAICHIEU.get("JOB_RESULT_HOURS", 72))
    return (now or timezone.now()) + datetime.timedelta(hours=hours)


class ScheduledRun(models.Model):
    """A periodic command the worker's schedule started on a day (jobs/schedule.py): the unique key
    makes two workers start it once."""

    name = models.CharField("lệnh", max_length=60)
    day = models.DateField("ngày")
    started_at = models.DateTimeField("lúc bắt đầu", auto_now_add=True)
    output = models.TextField("kết quả", blank=True)

    class Meta:
        verbose_name = "lần chạy theo lịch"
        verbose_name_plural = "lần chạy theo lịch"
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="jobs_scheduled_once_a_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%d/%m/%Y}"
