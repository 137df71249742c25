from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("them/", views.create, name="create_root"),
    path("xa-phuong/", views.commune_options, name="commune_options"),
    path("tim/", views.organization_options, name="search_options"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/con/", views.children, name="children"),
    path("<id:parent_pk>/them/", views.create, name="create"),
    path("<id:pk>/sua/", views.update, name="update"),
    path("<id:pk>/chuyen/", views.move, name="move"),
    path("<id:pk>/hoat-dong/", views.set_active, name="set_active"),
]
