from django.urls import include, path

from . import views_rules

app_name = "liaisons"

# Workplace side (coverage, introductions, letters, events, digests, inbox) and residence side
# (incoming introductions, cells and groups, tracking book) keep their views apart.
urlpatterns = [
    path("quy-dinh/", views_rules.rules_page, name="rules"),
    path("", include("haichieu.liaisons.urls_workplace")),
    path("noi-cu-tru/", include("haichieu.liaisons.urls_residence")),
    path("thong-bao/", include("haichieu.liaisons.notices_urls")),
]
