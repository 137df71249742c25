"""`haichieu db_worker`: django-tasks-db's worker, writing a heartbeat while it runs (core/worker.py),
which /healthz reads, and queueing the periodic commands of its schedule (jobs/schedule.py) at each
beat. Every option of the original command applies (--batch, --interval, …)."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from haichieu.core.worker import Heartbeat

from ... import schedule


class Command(DatabaseWorkerCommand):
    help = "Chạy tiến trình nền: nhận và làm các việc trong hàng đợi (django-tasks-db), ghi nhịp sống."

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"], on_beat=schedule.tick)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
