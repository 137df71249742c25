from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Cell meetings, their invitations and the roll-call (issue 11): the place where the link of
    Regulation 213 becomes real, seen by both the residence and the workplace."""

    name = "haichieu.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self):
        from .document_kinds import register_kinds

        register_kinds()  # the minutes a province may adapt
