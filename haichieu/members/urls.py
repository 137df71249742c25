from django.urls import path

from . import views, views_import

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("them/", views.member_create, name="create"),
    path("<id:pk>/", views.member_detail, name="detail"),
    path("<id:pk>/sua/", views.member_update, name="update"),
    path("nhap/", views_import.member_import, name="import"),
    path("nhap/mau/", views_import.member_import_template, name="import_template"),
    path("nhap/<str:token>/", views_import.member_import_preview, name="import_preview"),
    path("nhap/<str:token>/xac-nhan/", views_import.member_import_confirm, name="import_confirm"),
    path("nhap/<str:token>/loi/", views_import.member_import_errors, name="import_errors"),
]
