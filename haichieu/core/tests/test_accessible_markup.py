"""The shared form includes and base.html give assistive technology what it needs (WCAG 2.2 AA):
every id an aria-describedby names exists, fields with errors are aria-invalid, the error summary
links to the fields, the sign-in error is an alert, the active menu item says aria-current, and
there is a skip link to the main content. The browser tests run axe-core on whole pages."""

import datetime

import lxml.html
import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin
from haichieu.core.templatetags.form_tags import quick_select


class _Form(BootstrapFormMixin, forms.Form):
    full_name = forms.CharField(label="Họ và tên", min_length=5, help_text="Như trên thẻ đảng viên.")
    born = forms.DateField(label="Ngày sinh", required=False, widget=DATE_WIDGET)
    cell = forms.ChoiceField(label="Chi bộ", choices=[("", "—"), ("1", "Chi bộ 1")])
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("born") and data["born"] > datetime.date(2020, 1, 1):
            raise forms.ValidationError("Đảng viên phải đủ 18 tuổi.")
        return data


def _doc(html: str):
    assert "{#" not in html and "#}" not in html, "a template comment leaked into the page"
    return lxml.html.fromstring(f"<div>{html}</div>")


def describedby_problems(doc) -> list[str]:
    """Each aria-describedby / aria-labelledby / label[for] / href="#…" naming no element."""
    ids = set(doc.xpath("//@id"))
    problems = []
    for element in doc.xpath("//*[@aria-describedby or @aria-labelledby]"):
        for attr in ("aria-describedby", "aria-labelledby"):
            for ref in (element.get(attr) or "").split():
                if ref not in ids:
                    problems.append(f"{element.get('id') or element.tag} {attr}={ref}")
    problems += [
        f"label for={label.get('for')}" for label in doc.xpath("//label[@for]") if label.get("for") not in ids
    ]
    problems += [
        f"href={a.get('href')}"
        for a in doc.xpath("//a[starts-with(@href, '#') and string-length(@href) > 1]")
        if a.get("href")[1:] not in ids
    ]
    return problems


def test_a_valid_form_marks_nothing_invalid_and_ties_help_texts_to_their_fields():
    doc = _doc(render_to_string("_form_fields.html", {"form": _Form()}))
    assert describedby_problems(doc) == []
    assert not doc.xpath("//*[@aria-invalid]")
    assert not doc.xpath("//*[@data-error-summary]")
    (name,) = doc.xpath("//input[@name='full_name']")
    assert name.get("aria-describedby") == "id_full_name_helptext"
    assert doc.get_element_by_id("id_full_name_helptext").text_content() == "Như trên thẻ đảng viên."


def test_fields_with_errors_are_invalid_and_described_by_their_errors():
    form = _Form({"full_name": "An", "born": "31/02/1990", "cell": ""})
    assert not form.is_valid()
    doc = _doc(render_to_string("_form_fields.html", {"form": form}))
    assert describedby_problems(doc) == []
    invalid = {e.get("name"): e for e in doc.xpath("//*[@aria-invalid='true']")}
    assert set(invalid) == {"full_name", "born", "cell"}
    assert invalid["full_name"].get("aria-describedby").split() == [
        "id_full_name_helptext",
        "id_full_name_error",
    ]
    assert "ít nhất 5" in doc.get_element_by_id("id_full_name_error").text_content()
    assert invalid["born"].get("aria-describedby") == "id_born_error"
    assert "is-invalid" in invalid["cell"].get("class").split()


def test_the_error_summary_lists_every_error_with_a_link_to_its_field_and_takes_the_focus():
    form = _Form({"full_name": "An", "born": "01/01/2021", "cell": "1"})
    assert not form.is_valid()
    html = render_to_string("_form_fields.html", {"form": form, "summary": "Hồ sơ chưa được lưu."})
    (summary,) = _doc(html).xpath("//*[@data-error-summary]")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    text = " ".join(summary.text_content().split())
    assert text.startswith("Hồ sơ chưa được lưu.")
    assert "Đảng viên phải đủ 18 tuổi." in text  # the form's own error, once on the page
    assert html.count("Đảng viên phải đủ 18 tuổi.") == 1
    assert [a.get("href") for a in summary.xpath(".//a")] == ["#id_full_name"]
    # A page that places the summary itself says so; the fields keep their own errors.
    html = render_to_string("_form_fields.html", {"form": form, "summary_above": True})
    assert "data-error-summary" not in html and "id_full_name_error" in html


def test_quick_select_with_an_error_is_invalid_and_described_by_the_shared_error_include():
    form = _Form({"full_name": "Nguyễn Văn An", "cell": "9"})
    assert not form.is_valid()
    html = quick_select(form["cell"]) + render_to_string("_field_errors.html", {"field": form["cell"]})
    doc = _doc(html)
    assert describedby_problems(doc) == []
    (select,) = doc.xpath("//select")
    assert select.get("aria-invalid") == "true" and select.get("aria-describedby") == "id_cell_error"
    assert select.get("class").split().count("is-invalid") == 1
    assert "aria-invalid" not in quick_select(_Form()["cell"])


@pytest.mark.django_db
def test_the_sign_in_error_is_an_alert_the_fields_point_to(client, world):
    response = client.post(reverse("login"), {"username": "w1_staff", "password": "sai"})
    doc = lxml.html.fromstring(response.content)
    assert describedby_problems(doc) == []
    (alert,) = doc.xpath("//*[@id='login-error']")
    assert alert.get("role") == "alert" and alert.get("data-error-summary") is not None
    for name in ("username", "password"):
        (field,) = doc.xpath(f"//input[@name='{name}']")
        assert field.get("aria-invalid") == "true" and field.get("aria-describedby") == "login-error"
    fresh = lxml.html.fromstring(client.get(reverse("login")).content)
    assert not fresh.xpath("//*[@aria-invalid]") and fresh.xpath("//input[@name='username'][@autofocus]")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("password_change", {"old_password": "sai", "new_password1": "a", "new_password2": "b"}),
        ("members:create", {"full_name": "A"}),
    ],
)
def test_a_page_with_errors_names_only_ids_that_exist(world, client_for, url_name, data):
    response = client_for(world.w1_staff).post(reverse(url_name), data)
    assert response.status_code == 200
    assert b"{#" not in response.content
    doc = lxml.html.fromstring(response.content)
    assert describedby_problems(doc) == []
    assert doc.xpath("//*[@aria-invalid='true']")
    assert len(doc.xpath("//*[@data-error-summary]")) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "url", "current"),
    [
        ("w1_staff", "organizations:tree", "Tổ chức đảng"),
        ("w1_staff", "members:list", "Đảng viên"),
        ("w1_staff", "liaisons:coverage", "Giữ mối liên hệ"),
        ("w1_staff", "liaisons:notices", "Giữ mối liên hệ"),
        ("r1_staff", "liaisons:residence_incoming", "Nơi cư trú"),
        ("r1_staff", "liaisons:inbox", "Văn bản đến"),
        ("province_staff", "documents:index", "Mẫu văn bản"),
        ("province_staff", "audit:log", "Nhật ký"),
        ("w1_staff", "home", "Việc cần làm"),
    ],
)
def test_the_active_menu_item_and_only_it_is_the_current_page(world, client_for, user, url, current):
    doc = lxml.html.fromstring(client_for(world.users[user]).get(reverse(url), follow=True).content)
    marked = doc.xpath("//nav//*[@aria-current='page' and contains(@class, 'nav-link')]")
    active = doc.xpath("//nav//a[contains(concat(' ', @class, ' '), ' active ')]")
    assert [a.text_content().strip() for a in marked] == ([current] if current else [])
    assert marked == active


@pytest.mark.django_db
def test_every_page_starts_with_a_skip_link_to_the_main_content_and_has_a_live_region(world, client_for):
    doc = lxml.html.fromstring(client_for(world.w1_staff).get(reverse("members:list")).content)
    first_link = doc.xpath("//body//a")[0]
    assert first_link.get("href") == "#main" and "nội dung chính" in first_link.text_content()
    (main,) = doc.xpath("//main")
    assert main.get("id") == "main" and main.get("tabindex") == "-1"
    (status,) = doc.xpath("//*[@id='live-status']")
    assert status.get("aria-live") == "polite" and status.get("aria-atomic") == "true"


def test_nav_active_names_the_section_of_a_request_without_a_match():
    from haichieu.core.context_processors import nav_active

    assert nav_active(RequestFactory().get("/")) == {"nav_active": ""}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "user"), [("audit:log", "province_staff"), ("liaisons:notices", "w1_staff")]
)
def test_a_filter_with_a_bad_date_names_only_ids_that_exist(world, client_for, url_name, user):
    response = client_for(world.users[user]).get(reverse(url_name), {"start": "31/02/2026", "end": "x"})
    doc = lxml.html.fromstring(response.content)
    assert describedby_problems(doc) == []
    assert {e.get("name") for e in doc.xpath("//*[@aria-invalid='true']")} == {"start", "end"}


@pytest.mark.django_db
def test_the_departure_decision_page_with_errors_names_only_ids_that_exist(world, client_for):
    from haichieu.liaisons import services

    report = services.departure_report(
        actor=world.r1c1_secretary, liaison=world.m1.liaisons.get(), date=datetime.date(2026, 3, 1), note="Đi"
    )
    url = reverse("liaisons:residence_departure", args=[report.pk])
    page = client_for(world.r1_staff).post(url, {"decision": "reject", "reason": "  "}).content
    doc = lxml.html.fromstring(page)
    assert describedby_problems(doc) == []
    (reason,) = doc.xpath("//textarea[@name='reason'] | //input[@name='reason']")
    assert reason.get("aria-invalid") == "true"
    assert "Vui lòng ghi lý do" in doc.get_element_by_id("id_reason_error").text_content()
