from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    # The organisation department: who opened, exported or changed which member.
    path("nhat-ky/", views.audit_log, name="log"),
    path("nhat-ky/xuat/", views.audit_log_export, name="export"),
    # A member who signs in: who opened my record; my own data.
    path("tai-khoan/ai-da-xem/", views.own_reads, name="own_reads"),
    path("tai-khoan/du-lieu-cua-toi/", views.own_data, name="own_data"),
]
