from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("<id:province_pk>/", views.province, name="province"),
    path("<id:province_pk>/<slug:kind>/", views.kind_page, name="kind"),
    path("<id:province_pk>/<slug:kind>/mac-dinh/", views.download_default, name="default"),
    path("<id:province_pk>/<slug:kind>/dang-dung/", views.download_current, name="current"),
    path("<id:province_pk>/<slug:kind>/xem-thu/", views.preview, name="preview"),
    path("<id:province_pk>/<slug:kind>/dung-mac-dinh/", views.revert, name="revert"),
]
