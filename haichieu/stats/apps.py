from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """Statistics at every level (issue 13): an organisation's 213 figures as of a day, its
    children's worst first, charts and the .xlsx of the page. Reads only: every figure is counted
    by the rules modules of the apps that record it."""

    name = "haichieu.stats"
    label = "statistics"
    verbose_name = "Thống kê"
