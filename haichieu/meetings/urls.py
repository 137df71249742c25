from django.urls import include, path

from . import views, views_tasks

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("chi-bo/<id:pk>/them/", views.meeting_create, name="create"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/sua/", views.meeting_update, name="update"),
    path("<id:pk>/trang-thai/", views.meeting_state, name="state"),
    path("<id:pk>/moi/", views.meeting_invite, name="invite"),
    path("<id:pk>/lich.ics", views.meeting_calendar, name="calendar"),
    path("<id:pk>/danh-sach-ky.docx", views.roster_docx, name="roster_docx"),
    path("<id:pk>/tham-du.xlsx", views.attendance_xlsx, name="attendance_xlsx"),
    path("<id:pk>/bien-ban/", views.minutes, name="minutes"),
    path("<id:pk>/bien-ban.docx", views.minutes_docx, name="minutes_docx"),
    # A person's mark is the roll-call's URL followed by the invitation's id: the roll-call screen
    # writes its people's from the one URL it reverses (300 reverses were a sixth of its time).
    path(
        "<id:pk>/diem-danh/",
        include(
            [
                path("", views.roll_call, name="roll_call"),
                path("<id:attendance_pk>/", views.mark, name="mark"),
            ]
        ),
    ),
    path("<id:pk>/ma-diem-danh/", views.check_in_code, name="check_in_code"),
    path("diem-danh/", views.check_in, name="check_in"),
    path("cua-toi/", views.mine, name="mine"),
    path("cua-toi/lich.ics", views.mine_calendar, name="mine_calendar"),
    # The subscribable calendar: a secret link a calendar app polls without signing in.
    path("lich/<str:token>.ics", views.calendar_feed, name="feed"),
    path("lich/lam-moi/", views.calendar_feed_renew, name="feed_renew"),
    path("noi-cong-tac/", views.workplace, name="workplace"),
    path("dang-vien/<id:pk>/", views.member_attendance, name="member"),
    # Tasks a residential cell gives its linked members.
    path("chi-bo/<id:pk>/nhiem-vu/", views_tasks.task_list, name="task_list"),
    path("chi-bo/<id:pk>/nhiem-vu/giao/", views_tasks.task_create, name="task_create"),
    path("nhiem-vu/<id:pk>/", views_tasks.task_detail, name="task_detail"),
    path("nhiem-vu/<id:pk>/ket-qua/", views_tasks.task_outcome, name="task_outcome"),
    path("noi-cong-tac/nhiem-vu/", views_tasks.workplace_tasks, name="workplace_tasks"),
    path("so-lieu/", views.figures, name="figures"),
    path("so-lieu/buoi-sinh-hoat.xlsx", views.figures_meetings, name="figures_meetings"),
    path("so-lieu/tham-du.xlsx", views.figures_attendance, name="figures_attendance"),
]
