from django.core.management.base import BaseCommand

from haichieu.stats.summary import statistics_refresh


class Command(BaseCommand):
    help = (
        "Đếm lại bảng tổng hợp của trang thống kê (việc quá hạn, giới thiệu và tiếp nhận theo tháng). "
        "Chạy định kỳ (cron); chạy lại bao nhiêu lần cũng được."
    )

    def handle(self, *args, **options):
        counts = statistics_refresh()
        self.stdout.write(
            f"Đã cập nhật số liệu thống kê: {counts['organisations']} tổ chức, {counts['months']} dòng theo tháng."
        )
