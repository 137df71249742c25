from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("them/", views.create, name="create_root"),
    path("xa-phuong/", views.commune_options, name="commune_options"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/con/", views.children, name="children"),
    path("<int:parent_pk>/them/", views.create, name="create"),
    path("<int:pk>/sua/", views.update, name="update"),
    path("<int:pk>/chuyen/", views.move, name="move"),
    path("<int:pk>/hoat-dong/", views.set_active, name="set_active"),
]
