"""Rows of the long liaison lists, rendered in Python.

A row of the coverage list has a dozen conditional parts; rendered by the template engine, 50 of
them cost more than every query of the page together (bench/: 16 ms of a 35 ms page under the
profiler), and format_html is not much cheaper. Plain f-strings over escaped values cost a tenth
of that. Every value a row shows goes through `escape` (`_e`); the template places the rows.
"""

from html import escape as _html_escape

from django.utils.safestring import SafeString, mark_safe

from .templatetags.row_urls import pk_url

NO_ADDRESS = "— chưa có địa chỉ —"


def _e(value) -> str:
    return _html_escape(str(value), quote=True)


def coverage_row_html(row: dict, *, can_write: bool, letters_url: str) -> SafeString:
    m, liaison = row["member"], row["liaison"]
    name = _e(m.full_name)
    overdue = (
        f'<div class="small text-danger fw-semibold">⚠ {_e(row["overdue"])}</div>' if row["overdue"] else ""
    )
    check = ""
    if can_write:
        box = (
            f'<input class="form-check-input" type="checkbox" name="member" value="{m.pk}" aria-label="Chọn {name}">'
            if row["can_introduce"]
            else ""
        )
        check = f"<td>{box}</td>"
    badge = ""
    if row["rule"] == "excused":
        badge = f' <span class="badge text-bg-info" title="{_e(m.get_liaison_category_display())}">Miễn sinh hoạt nơi cư trú</span>'
    elif row["rule"] == "not_introduced":
        badge = f' <span class="badge text-bg-secondary" title="{_e(m.get_liaison_category_display())}">Không giới thiệu</span>'
    home = m.residence_commune.name if m.residence_commune_id else NO_ADDRESS
    if liaison:
        place = liaison["commune_org_name"] or liaison["commune_name"] or home
        cell = (
            f'<div class="small text-muted">{_e(liaison["cell_name"])}</div>' if liaison["cell_name"] else ""
        )
        returned = ""
        if liaison["status"] == "returned":
            note = f": {liaison['return_note']}" if liaison["return_note"] else ""
            returned = f'<div class="small text-danger">{_e(liaison["return_reason_label"])}{_e(note)}</div>'
        letter = (
            f'<a href="{letters_url}?ids={liaison["pk"]}">{_e(liaison["letter_reference"])}</a>'
            if liaison["letter_number"]
            else ""
        )
        status = f'<a href="{pk_url(liaison["pk"], "liaisons:detail")}">{_e(liaison["status_label"])}</a>{overdue}{returned}'
    else:
        place, cell, letter = home, "", ""
        status = f"Chưa có hồ sơ{overdue}"
    css = "table-warning" if row["overdue"] else ""
    return mark_safe(  # noqa: S308 - every value above is escaped by _e
        f'<tr data-row class="{css}">{check}<td><a href="{pk_url(m.pk, "members:detail")}">{name}</a>{badge}</td>'
        f'<td class="hide-sm">{_e(m.workplace_cell.name)}</td><td>{_e(place)}{cell}</td><td>{status}</td>'
        f'<td class="hide-sm">{letter}</td></tr>'
    )
