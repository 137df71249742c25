from django.urls import path

from . import views_notices

urlpatterns = [path("", views_notices.notices, name="notices")]
