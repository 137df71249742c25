from django.urls import path

from . import views_residence as views

# Residence side, under /lien-he/noi-cu-tru/ (namespace "liaisons", names prefixed "residence_").
urlpatterns = [
    path("tiep-nhan/", views.incoming, name="residence_incoming"),
    path("tiep-nhan/<id:pk>/", views.receive, name="residence_receive"),
    path("tiep-nhan/<id:pk>/tra-lai/", views.return_, name="residence_return"),
    path("to-nhom/", views.group_options, name="residence_group_options"),
    path("chi-bo/", views.cells, name="residence_cells"),
    path("chi-bo/<id:pk>/", views.cell_detail, name="residence_cell"),
    path("chi-bo/<id:pk>/to-nhom/", views.group_create, name="residence_group_create"),
    path("ho-so/<id:pk>/xac-nhan/", views.activate, name="residence_activate"),
    path("ho-so/<id:pk>/phan-to/", views.place, name="residence_place"),
    path("ho-so/<id:pk>/khong-con-cu-tru/", views.no_longer_resides, name="residence_no_longer_resides"),
    path("khong-con-cu-tru/", views.departures, name="residence_departures"),
    path("khong-con-cu-tru/<id:pk>/", views.departure, name="residence_departure"),
    path("so-theo-doi/<id:pk>/", views.book, name="residence_book"),
]
