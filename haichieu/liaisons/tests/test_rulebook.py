"""Every rule the software applies names its source (issue 10, item 9), and the rules page shows the
settings in force: change a setting and the page changes (issue 10, "a page of the rules in force")."""

import copy
import datetime
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from haichieu.liaisons import rulebook
from haichieu.liaisons.models import ChangeNotice
from haichieu.members.models import Member

pytestmark = pytest.mark.django_db


def _rules(group="RULES", **changes):
    """HAICHIEU with RULES (or another group) changed (override_settings replaces the whole dict)."""
    haichieu = copy.deepcopy(settings.HAICHIEU)
    haichieu[group].update(changes)
    return override_settings(HAICHIEU=haichieu)


def _row(page: str, key: str) -> str:
    """The rules page's row of one RULES key."""
    return re.search(rf'<tr id="{key.lower()}" data-rule="{key}">(.*?)</tr>', page, re.S).group(1)


def test_every_rules_key_has_an_entry_and_every_entry_a_key():
    for group in rulebook.SETTING_GROUPS:
        entries = {key for key, rule in rulebook.RULEBOOK.items() if rule.setting == group}
        assert set(settings.HAICHIEU[group]) == entries, group
    assert {rule.setting for rule in rulebook.RULEBOOK.values()} == set(rulebook.SETTING_GROUPS)


def test_every_entry_names_a_known_document_and_formats_the_default():
    for key, rule in rulebook.RULEBOOK.items():
        assert rule.key == key
        # A rule without a source is the software's own (how long a check-in code lives).
        assert rule.sources or rule.origin == rulebook.Origin.LOCAL, key
        for source in rule.sources:
            assert source.document in rulebook.DOCUMENTS, key
        assert rule.formatter(settings.HAICHIEU[rule.setting][key])
        if rule.text_value is not None:  # the defaults are what the texts say
            assert rulebook.rule_in_force(key).origin == rule.origin == rulebook.Origin.NATIONAL


def test_day_counts_are_the_deployments_own_and_the_periods_national():
    origins = {key: rulebook.rule_in_force(key).origin for key in rulebook.RULEBOOK}
    assert origins["INTRODUCE_WITHIN_DAYS"] == rulebook.Origin.LOCAL
    assert origins["RECEIVE_WITHIN_DAYS"] == rulebook.Origin.LOCAL
    assert origins["DIGEST_GRACE_DAYS"] == rulebook.Origin.LOCAL
    assert origins["DIGEST_EVERY_MONTHS"] == rulebook.Origin.NATIONAL
    assert str(rulebook.RULEBOOK["DIGEST_EVERY_MONTHS"].sources[0]) == "QĐ 213-QĐ/TW, Điều 3: “hằng quý”"


def test_every_category_has_its_source_and_the_defaults_follow_hd33():
    assert set(rulebook.CATEGORY_SOURCES) == set(Member.LiaisonCategory.values)
    for category in rulebook.categories_in_force():
        assert category.origin == rulebook.Origin.NATIONAL, category.value
        assert category.source.startswith(("HD 33-HD/BTCTW", "QĐ 213-QĐ/TW"))


def test_hd33_wording_of_the_categories():
    labels = dict(Member.LiaisonCategory.choices)
    assert "12 tháng trong năm" in labels["study"] and "dài hạn" not in labels["study"]
    assert labels["rotated"].startswith("Cán bộ điều động, luân chuyển ở nhà công vụ, tập thể cơ quan")
    assert "Quân đội" not in labels["rotated"]  # a civilian category
    assert labels["student"].startswith("Học sinh, sinh viên")
    assert labels["standby"] == "Ở đơn vị thường trực sẵn sàng chiến đấu"
    assert "standby" in settings.HAICHIEU["RULES"]["NOT_INTRODUCED_CATEGORIES"]
    assert "rotated" in settings.HAICHIEU["RULES"]["EXCUSED_CATEGORIES"]


def test_a_changed_setting_becomes_the_deployments_own():
    with _rules(DIGEST_EVERY_MONTHS=1, EXCUSED_CATEGORIES=["barracks"]):
        digest = rulebook.rule_in_force("DIGEST_EVERY_MONTHS")
        assert digest.origin == rulebook.Origin.LOCAL
        assert digest.value == "1 tháng (hằng tháng)"
        assert digest.changed_from == "3 tháng (hằng quý)"
        categories = {c.value: c for c in rulebook.categories_in_force()}
        assert categories["study"].origin == rulebook.Origin.LOCAL
        assert categories["study"].text_rule == "Giới thiệu, miễn sinh hoạt nơi cư trú"
        assert categories["barracks"].origin == rulebook.Origin.NATIONAL


def test_rules_page_lists_every_rule_with_value_source_and_origin(world, client_for):
    response = client_for(world.w1_viewer).get(reverse("liaisons:rules"))
    assert response.status_code == 200
    page = response.content.decode()
    for key, rule in rulebook.RULEBOOK.items():
        assert f'data-rule="{key}"' in page
        assert rule.label in page
    for _, label in Member.LiaisonCategory.choices:
        assert label in page
    for _, label in ChangeNotice.Kind.choices:
        assert label in page
    assert "15 ngày" in page and "30 ngày" in page and "3 tháng (hằng quý)" in page
    assert "Quy định riêng của đơn vị triển khai" in page and "Văn bản của Trung ương" in page
    assert "229-KL/TW" in page and "05/01/2026" in page
    for symbol in ("213-QĐ/TW", "33-HD/BTCTW", "36-HD/VPTW", "12-HD/BTCTW", "232-QĐ/TW", "294-QĐ/TW"):
        assert symbol in page
    assert "366-QĐ/TW" in page and "43-HD/BTCTW" in page
    assert 'id="nav-rules"' in page and 'aria-current="page" href="/lien-he/quy-dinh/"' in page


def test_changing_a_setting_changes_the_page(world, client_for):
    client = client_for(world.w1_staff)
    with _rules(RECEIVE_WITHIN_DAYS=7, DIGEST_EVERY_MONTHS=6, NOTIFIED_EVENTS=["residence_change"]):
        page = client.get(reverse("liaisons:rules")).content.decode()
    assert "<td>7 ngày</td>" in _row(page, "RECEIVE_WITHIN_DAYS")
    assert "<td>15 ngày</td>" in _row(page, "DIGEST_GRACE_DAYS")
    digest = _row(page, "DIGEST_EVERY_MONTHS")
    assert "<td>6 tháng" in digest and "Văn bản: 3 tháng (hằng quý)" in digest
    assert "Quy định riêng của đơn vị triển khai" in digest and "đã thay đổi so với văn bản" in digest
    assert '<li data-event="residence_change"><span class="badge text-bg-success">Thông báo</span>' in page
    assert '<li data-event="deceased"><span class="badge text-bg-secondary">Không thông báo</span>' in page


def test_the_meetings_settings_are_on_the_page_with_their_source(world, client_for):
    """HAICHIEU["MEETINGS"]: the meetings a year come from QĐ 213 Art. 4; the rest is the deployment's."""
    client = client_for(world.r1c1_secretary)
    page = client.get(reverse("liaisons:rules")).content.decode()
    expected = _row(page, "EXPECTED_PER_YEAR")
    assert "<td>2 buổi</td>" in expected and "Văn bản của Trung ương" in expected
    assert "QĐ 213-QĐ/TW, Điều 4: “6 tháng một lần hoặc khi cần thiết”" in expected
    missed = _row(page, "MISSED_IN_A_ROW_ALERT")
    assert "<td>2 buổi</td>" in missed and "Quy định riêng của đơn vị triển khai" in missed
    for key, value in (("CHECK_IN_ROTATE_SECONDS", "30 giây"), ("CHECK_IN_VALID_SECONDS", "90 giây")):
        row = _row(page, key)
        assert f"<td>{value}</td>" in row and "Thiết lập của phần mềm" in row, key
    assert "Chi bộ nơi cư trú: thông báo tình hình địa phương" in _row(page, "AGENDA_TEMPLATES")
    for key in (
        "EXEMPTION_REASONS",
        "EXEMPTION_CELL_DECIDES",
        "EXEMPTION_LIFTS",
        "EXEMPTION_ENDING_WITHIN_DAYS",
    ):
        assert f'data-rule="{key}"' in page
    with _rules("MEETINGS", EXPECTED_PER_YEAR=4):
        page = client.get(reverse("liaisons:rules")).content.decode()
    expected = _row(page, "EXPECTED_PER_YEAR")
    assert "<td>4 buổi" in expected and "Văn bản: 2 buổi" in expected
    assert "Quy định riêng của đơn vị triển khai" in expected


def test_rules_json_from_the_environment_reaches_the_page():
    """HAICHIEU_RULES_JSON overrides a rule at start-up; the registry reads the setting as it is."""
    code = (
        "import django; django.setup();"
        "from haichieu.liaisons import rulebook;"
        "print(rulebook.rule_in_force('RECEIVE_WITHIN_DAYS').value)"
    )
    env = {**os.environ, "HAICHIEU_RULES_JSON": json.dumps({"RECEIVE_WITHIN_DAYS": 10})}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "10 ngày"


def test_plain_member_and_outsider_get_404(world, client_for):
    for user in (world.member_user, world.outsider):
        assert client_for(user).get(reverse("liaisons:rules")).status_code == 404
    page = client_for(world.member_user).get(reverse("home")).content.decode()
    assert 'id="nav-rules"' not in page


def test_rules_page_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    client = client_for(world.w1_staff)
    client.get(reverse("liaisons:rules"))
    with django_assert_max_num_queries(8):
        client.get(reverse("liaisons:rules"))


def _notes(page: str) -> list[str]:
    return re.findall(r"<p [^>]*data-deadline-note>(.*?)</p>", page, re.S)


def test_pages_that_show_overdue_say_whose_deadline_it_is(world, client_for):
    """Wherever "Quá hạn" is shown, one note says which deadline, its value and whose rule it is."""
    pages = {
        "liaisons:coverage": ("w1_staff", ["30 ngày", "15 ngày"], "#introduce_within_days"),
        "liaisons:digests": ("w1_staff", ["15 ngày", "3 tháng (hằng quý)"], "#digest_grace_days"),
        "liaisons:inbox": ("r1_staff", ["15 ngày"], "#receive_within_days"),
        "liaisons:residence_incoming": ("r1_staff", ["15 ngày"], "#receive_within_days"),
    }
    for name, (persona, values, anchor) in pages.items():
        notes = _notes(client_for(getattr(world, persona)).get(reverse(name)).content.decode())
        assert len(notes) == 1, name
        for value in values:
            assert f"<strong>{value}</strong>" in notes[0], name
        assert "(Quy định riêng của đơn vị triển khai)" in notes[0], name
        assert f'href="/lien-he/quy-dinh/{anchor}"' in notes[0], name


def test_the_note_follows_the_setting(world, client_for):
    with _rules(RECEIVE_WITHIN_DAYS=7):
        page = client_for(world.r1_staff).get(reverse("liaisons:residence_incoming")).content.decode()
    assert "<strong>7 ngày</strong>" in _notes(page)[0]


def test_the_receive_page_notes_the_deadline_of_a_waiting_introduction(world, client_for):
    liaison = world.m1.liaisons.get()
    liaison.status, liaison.receive_due = "introduced", datetime.date(2020, 1, 1)
    liaison.save()
    page = client_for(world.r1_staff).get(reverse("liaisons:residence_receive", args=[liaison.pk]))
    text = page.content.decode()
    assert "Quá hạn" in text and len(_notes(text)) == 1


def test_the_task_kinds_are_on_the_page_as_the_deployments_own_and_follow_the_setting(
    world, client_for, settings
):
    client = client_for(world.r1c1_secretary)
    row = _row(client.get(reverse("liaisons:rules")).content.decode(), "TASK_KINDS")
    assert "Tham gia Ban công tác Mặt trận khu dân cư" in row and "QĐ 213-QĐ/TW, Điều 2" in row
    assert "Quy định riêng của đơn vị triển khai" in row
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "MEETINGS": {**settings.HAICHIEU["MEETINGS"], "TASK_KINDS": [("choir", "Tham gia đội văn nghệ")]},
    }
    row = _row(client.get(reverse("liaisons:rules")).content.decode(), "TASK_KINDS")
    assert "<td>Tham gia đội văn nghệ</td>" in row and "Mặt trận" not in row


def test_the_meetings_settings_are_on_the_rules_page_with_their_source(world, client_for, settings):
    client = client_for(world.w1_staff)
    page = client.get(reverse("liaisons:rules")).content.decode()
    assert "<td>2 buổi</td>" in _row(page, "EXPECTED_PER_YEAR") and "Điều 4" in _row(
        page, "EXPECTED_PER_YEAR"
    )
    assert "Mức tối thiểu" in _row(page, "MIN_ATTENDED_PER_YEAR")
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "MEETINGS": {**settings.HAICHIEU["MEETINGS"], "EXPECTED_PER_YEAR": 4},
    }
    expected = client.get(reverse("liaisons:rules")).content.decode()
    row = _row(expected, "EXPECTED_PER_YEAR")
    assert "<td>4 buổi" in row and "Văn bản: 2 buổi" in row
