from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("<id:org_pk>/<year:year>/", views.rating_list, name="list"),
    path("<id:org_pk>/<year:year>/danh-sach.xlsx", views.rating_xlsx, name="xlsx"),
    path("<id:org_pk>/<year:year>/dang-vien/<id:pk>/", views.rating_form, name="rate"),
]
