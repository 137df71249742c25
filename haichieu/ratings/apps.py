from django.apps import AppConfig


class RatingsConfig(AppConfig):
    """The yearly rating of each member (đánh giá, xếp loại chất lượng đảng viên hằng năm) under
    QĐ 366-QĐ/TW and HD 43-HD/BTCTW: recorded by the workplace side, never seen by the residence
    side (issue 12)."""

    name = "haichieu.ratings"
    label = "ratings"
    verbose_name = "Đánh giá, xếp loại chất lượng đảng viên"
