"""Recount every coverage count from the members (idempotent): after a repair or a raw bulk load."""

from django.core.management.base import BaseCommand

from haichieu.liaisons.coverage import coverage_counts_rebuild


class Command(BaseCommand):
    help = "Đếm lại số liệu tỷ lệ giới thiệu (CoverageCount) của mọi tổ chức từ hồ sơ đảng viên."

    def handle(self, *args, **options):
        coverage_counts_rebuild()
        self.stdout.write("Đã đếm lại số liệu tỷ lệ giới thiệu.")
