from django.urls import path

from . import views_notices

urlpatterns = [
    path("", views_notices.notices, name="notices"),
    path("<id:pk>/", views_notices.notice_detail, name="notice"),
]
