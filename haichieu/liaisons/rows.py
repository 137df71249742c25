"""Rows of the long liaison lists, rendered in Python.

A row of the coverage list has a dozen conditional parts; rendered by the template engine, 50 of
them cost more than every query of the page together (bench/: 16 ms of a 35 ms page under the
profiler), and format_html is not much cheaper. Plain f-strings over escaped values cost a tenth
of that. Every value a row shows goes through `escape` (`_e`); the template places the rows.
"""

from django.utils.safestring import SafeString, mark_safe

from haichieu.core.html import e as _e

from .templatetags.row_urls import pk_url

NO_ADDRESS = "— chưa có địa chỉ —"


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


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def incoming_row_html(row: dict, *, with_checkbox: bool, show_commune: bool) -> SafeString:
    """A row of the commune's incoming introductions: the table cells, and their phone layout."""
    li = row["liaison"]
    m = li.member
    name = _e(m.full_name)
    workplace_org = li.workplace_org.name if li.workplace_org_id else ""
    due, ref, dob = _date(li.receive_due), li.letter_reference, _date(m.date_of_birth)
    gender = _e(m.get_gender_display())
    overdue_badge = ' <span class="badge text-bg-danger">Quá hạn</span>' if row["overdue"] else ""
    suggested = row["suggested"].name if row["suggested"] else ""
    address = _e(", ".join(p for p in (li.address_hamlet, li.address_street) if p))
    actions = (
        '<div class="d-flex flex-wrap gap-1">\n'
        f'  <a class="btn btn-sm btn-outline-danger" href="{pk_url(li.pk, "liaisons:residence_receive")}">Tiếp nhận</a>\n'
        f'  <a class="btn btn-sm btn-outline-secondary" href="{pk_url(li.pk, "liaisons:residence_return")}">Trả lại</a>\n'
        "</div>"
    )
    check = ""
    if with_checkbox:
        checked = " checked" if row["ticked"] else ""
        check = (
            f'<td><input class="form-check-input fs-5 mt-0" type="checkbox" name="liaisons" value="{li.pk}" '
            f'id="pick-{li.pk}"{checked} aria-label="Chọn {name}"></td>'
        )
    excused = (
        '<div><span class="badge text-bg-secondary">Miễn sinh hoạt nơi cư trú</span></div>'
        if li.excused
        else ""
    )
    commune = f'<div class="small text-muted">{_e(li.commune_org.name)}</div>' if show_commune else ""
    position = f" · {_e(m.position)}" if m.position else ""
    unit = m.workplace_unit or workplace_org
    phone = (
        f'<div class="d-md-none small"><div>{gender}, {dob}{position}</div><div>{_e(unit)}</div>'
        f"<div>{address}"
        + (f' <span class="text-muted">(gợi ý: {_e(suggested)})</span>' if suggested else "")
        + f"</div><div>{_e(ref)}"
        + (f" · hạn {due}" if due else "")
        + f'{overdue_badge}</div><div class="mt-1">{actions}</div></div>'
    )
    unit_cell = _e(m.workplace_unit or workplace_org or "—")
    if m.workplace_unit and workplace_org:
        unit_cell += f'<div class="small text-muted">{_e(workplace_org)}</div>'
    letter = _e(ref or "—") + (
        f'<div class="small text-muted">ngày {_date(li.letter_date)}</div>' if li.letter_date else ""
    )
    hint = f'<div class="small text-muted">Gợi ý: {_e(suggested)}</div>' if suggested else ""
    return mark_safe(  # noqa: S308 - every value above is escaped by _e
        f"<tr data-row{' class=' + chr(34) + 'table-warning' + chr(34) if row['overdue'] else ''}>{check}"
        f'<td><label for="pick-{li.pk}" class="fw-semibold">{name}</label>{excused}{commune}{phone}</td>'
        f'<td class="d-none d-md-table-cell">{gender}, {dob}</td>'
        f'<td class="d-none d-lg-table-cell">{_e(m.position or "—")}</td>'
        f'<td class="d-none d-md-table-cell">{unit_cell}</td>'
        f'<td class="d-none d-md-table-cell">{address or "—"}{hint}</td>'
        f'<td class="d-none d-lg-table-cell">{letter}</td>'
        f'<td class="d-none d-md-table-cell text-nowrap">{due or "—"}{overdue_badge}</td>'
        f'<td class="d-none d-md-table-cell">{actions}</td></tr>'
    )
