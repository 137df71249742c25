"""One login per role, all with the same password, and the list of them to print."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from haichieu.accounts.models import Role, User
from haichieu.demo.common import DemoError
from haichieu.demo.names import vietnamese_name
from haichieu.demo.tree import Tree
from haichieu.members.models import Member

DEMO_PASSWORD = "HaiChieu@2026"


@dataclass
class DemoLogin:
    username: str
    role: str
    organization: str


DEMO_USERNAMES = ["admin", "bantochuc", "coquan", "chibocoquan", "phuong", "chibotdp", "dangvien"]


def existing_demo_logins() -> list[DemoLogin]:
    """The demo accounts still in the database, with their role, to print them again."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    roles = {
        r.user.username: r
        for r in Role.objects.filter(user__username__in=DEMO_USERNAMES).select_related("user", "organization")
    }
    logins = []
    for username in DEMO_USERNAMES:
        if username not in users:
            continue
        role = roles.get(username)
        if role is not None:
            logins.append(DemoLogin(username, role.get_kind_display(), role.organization.name))
        else:
            logins.append(
                DemoLogin(username, "Quản trị hệ thống" if users[username].is_superuser else "—", "—")
            )
    return logins


def create_users(rng: random.Random, tree: Tree, dangvien_member: Member) -> list[DemoLogin]:
    coquan_committee = tree.workplace_committees[0]
    coquan_cell = coquan_committee.children[0]
    phuong = tree.commune_committees[0]
    tdp = phuong.children[0]
    specs = [
        ("admin", None, None, "Quản trị hệ thống"),
        ("bantochuc", Role.Kind.STAFF, tree.root, "Cán bộ Ban Tổ chức"),
        ("coquan", Role.Kind.STAFF, coquan_committee, "Cán bộ tổ chức nơi công tác"),
        ("chibocoquan", Role.Kind.SECRETARY, coquan_cell, "Bí thư chi bộ nơi công tác"),
        ("phuong", Role.Kind.STAFF, phuong, "Cán bộ đảng ủy phường"),
        ("chibotdp", Role.Kind.SECRETARY, tdp, "Bí thư chi bộ tổ dân phố"),
        ("dangvien", Role.Kind.MEMBER, coquan_cell, "Đảng viên"),
    ]
    taken = list(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    if taken:
        raise DemoError(f"Đã có tài khoản {', '.join(sorted(taken))}: dữ liệu mẫu đã được tạo trước đó.")
    password = make_password(DEMO_PASSWORD)  # hashed once for every demo account
    users, roles, logins = [], [], []
    for username, kind, org, label in specs:
        if username == "dangvien":
            full_name = dangvien_member.full_name
        else:
            full_name = vietnamese_name(rng, rng.choice([Member.Gender.MALE, Member.Gender.FEMALE]))
        user = User(
            username=username,
            password=password,
            full_name=full_name,
            is_superuser=org is None,
            is_staff=org is None,
        )
        users.append(user)
        logins.append(
            DemoLogin(
                username, label if kind is None else f"{label} ({kind.label})", org.name if org else "—"
            )
        )
    User.objects.bulk_create(users)
    by_name = dict(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", "pk"))
    for username, kind, org, _label in specs:
        if kind is not None:
            roles.append(
                Role(
                    user_id=by_name[username],
                    organization_id=org.pk,
                    kind=kind,
                    start_date=datetime.date(2025, 7, 1),
                )
            )
    Role.objects.bulk_create(roles)
    Member.objects.filter(pk=dangvien_member.pk).update(user_id=by_name["dangvien"])
    return logins
