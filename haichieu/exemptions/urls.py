from django.urls import path

from . import views

app_name = "exemptions"

urlpatterns = [
    path("mien/", views.overview, name="overview"),
    path("dang-vien/<id:pk>/mien/", views.member_exemptions, name="member"),
    path("dang-vien/<id:pk>/mien/them/", views.exemption_create, name="create"),
    path("dang-vien/<id:pk>/mien/<id:exemption_pk>/sua/", views.exemption_update, name="update"),
    path("dang-vien/<id:pk>/mien/<id:exemption_pk>/gia-han/", views.exemption_renew, name="renew"),
    path("dang-vien/<id:pk>/mien/<id:exemption_pk>/thoi-mien/", views.exemption_revoke, name="revoke"),
    path("dang-vien/<id:pk>/mien/<id:exemption_pk>/don/", views.exemption_scan, name="scan"),
]
