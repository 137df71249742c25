from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("du-lieu-can-xu-ly/", views.overview, name="overview"),
    path("du-lieu-can-xu-ly/<slug:key>/", views.check_list, name="check"),
    path("huong-dan/<slug:role>.docx", views.guide, name="guide"),
]
