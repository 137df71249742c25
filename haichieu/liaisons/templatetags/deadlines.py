"""`{% deadline_note "RECEIVE_WITHIN_DAYS" … %}`: on a page that shows "Quá hạn", which deadline it
counts from, its value now and whose rule it is (the texts fix no day counts: issue 10, item 8),
with a link to the rules page. The one place this note is written (liaisons/_deadline_note.html)."""

from django import template

from haichieu.liaisons import rulebook

register = template.Library()


@register.inclusion_tag("liaisons/_deadline_note.html")
def deadline_note(*keys: str) -> dict:
    notes = rulebook.deadline_notes(*keys)
    return {"notes": notes, "url": notes[0].url}
