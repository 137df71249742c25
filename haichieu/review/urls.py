from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.start, name="start"),
    path("<id:org_pk>/<year:year>/", views.score_page, name="score"),
    path("<id:org_pk>/<year:year>/diem.xlsx", views.score_xlsx, name="score_xlsx"),
    path("<id:org_pk>/<year:year>/bao-cao.docx", views.report_docx, name="report"),
]
