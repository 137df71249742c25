from django.urls import path

from . import views_workplace as views

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("gioi-thieu/", views.introduce, name="introduce"),
    path("gioi-thieu/<id:pk>/", views.introduce_batch, name="introduce_batch"),
    path("gioi-thieu/<id:pk>/xac-nhan/", views.introduce_confirm, name="introduce_confirm"),
    path("giay-gioi-thieu/", views.letters, name="letters"),
    path("ho-so/<id:pk>/", views.liaison_detail, name="detail"),
    path("ho-so/<id:pk>/thu-hoi/", views.withdraw, name="withdraw"),
    path("bien-dong/<id:member_pk>/", views.member_event, name="member_event"),
    path("danh-sach-bien-dong/", views.digests, name="digests"),
    path(
        "danh-sach-bien-dong/<id:sender_pk>/<id:recipient_pk>/<year:year>/<period:period>.<str:fmt>",
        views.digest_download,
        name="digest_download",
    ),
    path(
        "danh-sach-bien-dong/<id:sender_pk>/<id:recipient_pk>/<year:year>/<period:period>/gui/",
        views.digest_send,
        name="digest_send",
    ),
    path("van-ban-den/", views.inbox, name="inbox"),
    path("van-ban-den/da-doc/", views.inbox_read, name="inbox_read"),
]
