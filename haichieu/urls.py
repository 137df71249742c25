from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from haichieu.accounts import views as account_views
from haichieu.api import views as api_views
from haichieu.api.api import api
from haichieu.core import views as core_views

# The Django admin is for superusers only (system administrators).
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# … who sign in through the app's login, with its throttling and second step.
admin.site.login = account_views.admin_login
admin.site.site_header = "Quản trị Hai Chiều"
admin.site.site_title = "Quản trị Hai Chiều"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("dang-nhap/", account_views.SignInView.as_view(), name="login"),
    path("dang-nhap/ma-xac-thuc/", account_views.sign_in_code, name="login_code"),
    path("tai-khoan/", account_views.profile, name="profile"),
    path("tai-khoan/xac-thuc-hai-buoc/", account_views.two_factor, name="two_factor"),
    path("tai-khoan/khoa-api/", api_views.tokens, name="api_tokens"),
    path("tai-khoan/khoa-api/<id:pk>/thu-hoi/", api_views.token_revoke, name="api_token_revoke"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("to-chuc/", include("haichieu.organizations.urls")),
    path("dang-vien/", include("haichieu.members.urls")),
    path("lien-he/", include("haichieu.liaisons.urls")),
    path("", include("haichieu.exemptions.urls")),
    path("hop/", include("haichieu.meetings.urls")),
    path("nhan-xet/", include("haichieu.comments.urls")),
    path("xep-loai/", include("haichieu.ratings.urls")),
    path("so-ket/", include("haichieu.review.urls")),
    path("", include("haichieu.audit.urls")),
    path("mau-van-ban/", include("haichieu.documents.urls")),
    path("", include("haichieu.care.urls")),
    path("thong-ke/", include("haichieu.stats.urls")),
    path("viec-nen/", include("haichieu.jobs.urls")),
    path("api/v1/", api.urls),
    path("quan-tri/", admin.site.urls),
]
