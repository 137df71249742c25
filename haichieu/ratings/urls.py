from django.urls import path

from . import views, views_figures

app_name = "ratings"

urlpatterns = [
    path("so-lieu/", views_figures.figures_page, name="figures"),
    path("so-lieu/xep-loai.xlsx", views_figures.figures_xlsx, name="figures_xlsx"),
    path("<id:org_pk>/<year:year>/", views.rating_list, name="list"),
    path("<id:org_pk>/<year:year>/danh-sach.xlsx", views.rating_xlsx, name="xlsx"),
    path("<id:org_pk>/<year:year>/dang-vien/<id:pk>/", views.rating_form, name="rate"),
]
