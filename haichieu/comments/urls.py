from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("tien-do/", views.progress, name="progress"),
    path("so-lieu/", views.figures_page, name="figures"),
    path("so-lieu/dung-han.xlsx", views.figures_timeliness_xlsx, name="figures_timeliness_xlsx"),
    path("so-lieu/tieu-chi.xlsx", views.figures_criteria_xlsx, name="figures_criteria_xlsx"),
    path("mo-dot/", views.open_round, name="round"),
    path("de-nghi/", views.ask, name="ask"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/nhan-xet/", views.answer, name="answer"),
    path("<id:pk>/xac-nhan/", views.confirm, name="confirm"),
    path("<id:pk>/phieu-nhan-xet.docx", views.comment_docx, name="docx"),
]
