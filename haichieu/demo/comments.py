"""The benchmark's comment round: the province's yearly round of the bench year, part of it answered.

A step of its own after `seed_demo` (and the meeting step), run on a data set seeded earlier as well
(the benchmark reuses its databases); it draws from its own random generator, so the rows
`seed_demo` makes stay those of its seed. `seed_bench_comments()` does, once, what the people do:

- provincial staff (`bantochuc`) open the yearly round of BENCH_YEAR for the whole province on the
  demo's day, deadline the last day of the year (comments.services.open_comment_round: the rule
  decides who gets a request and from which residential cell);
- the staff of the demo ward (`phuong`, whose commune committee the demo gives the most residents)
  comment on all but BENCH_PENDING of the requests sent to its cells, through the comments services
  (audited, the workplace told); all but one in UNCONFIRMED_EVERY of those comments are confirmed
  (when the settings ask the commune to confirm), the rest wait for it.

So the ward's inbox holds hundreds of requests not answered (at 100,000 members: 400 without a
comment and 305 awaiting confirmation, among 9,533) as near a deadline; at a small size, where
the ward gets few requests, a third of them are answered.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from haichieu.accounts.models import Role
from haichieu.comments import services
from haichieu.comments.models import CommentRequest
from haichieu.demo.common import TODAY

BENCH_YEAR = TODAY.year
BENCH_DEADLINE = datetime.date(BENCH_YEAR, 12, 31)
BENCH_OPENER = "bantochuc"  # provincial staff: their organisation is the province
BENCH_WARD = "phuong"  # the ward committee's staff, who answer for its residential cells
BENCH_PENDING = 400  # requests the ward leaves unanswered (hundreds, as near a deadline)
UNCONFIRMED_EVERY = 30  # one comment in so many waits for the ward's confirmation (the first one too)
TEXTS = (
    "Đồng chí gương mẫu chấp hành chủ trương của Đảng, chính sách, pháp luật của Nhà nước và quy định của địa phương.",
    "Tham gia sinh hoạt chi bộ nơi cư trú, đóng góp ý kiến xây dựng tổ dân phố.",
    "Giữ mối liên hệ với chi ủy và nhân dân; gia đình chấp hành tốt quy ước của khu dân cư.",
    "Cần tham gia đầy đủ hơn các buổi sinh hoạt và hoạt động ở nơi cư trú.",
)


def bench_round_exists() -> bool:
    return CommentRequest.objects.filter(year=BENCH_YEAR, purpose=CommentRequest.Purpose.YEARLY).exists()


def answered_count(requests: int, pending: int = BENCH_PENDING) -> int:
    """How many of the ward's `requests` are answered: all but `pending`, at least a third."""
    return max(requests // 3, requests - pending)


def seed_bench_comments(*, seed: int = 2026, pending: int = BENCH_PENDING, log=None) -> int:
    """The round and the ward's answers (see the module), once; the number of the ward's requests
    not answered (pending, or waiting for its confirmation)."""
    log = log or (lambda message: None)
    roles = {
        r.user.username: r
        for r in Role.objects.select_related("user", "organization").filter(
            user__username__in=[BENCH_OPENER, BENCH_WARD]
        )
    }
    ward = roles[BENCH_WARD]
    open_states = CommentRequest.OPEN_STATES
    if bench_round_exists():
        return CommentRequest.objects.filter(commune_org=ward.organization, state__in=open_states).count()
    opener = roles[BENCH_OPENER]
    rng = random.Random(seed)
    with transaction.atomic():
        result = services.open_comment_round(
            actor=opener.user, org=opener.organization, year=BENCH_YEAR, deadline=BENCH_DEADLINE, today=TODAY
        )
        log(f"đợt nhận xét năm {BENCH_YEAR}: {result.created} phiếu đến {result.cells} chi bộ nơi cư trú")
        requests = list(
            CommentRequest.objects.filter(commune_org=ward.organization, year=BENCH_YEAR)
            .select_related("member", "cell", "commune_org", "workplace_org", "form", "liaison")
            .order_by("pk")
        )
        answered = rng.sample(requests, answered_count(len(requests), pending))
        criteria = list(answered[0].form.criteria.order_by("position")) if answered else []
        for n, request in enumerate(answered):
            levels = {c.pk: rng.choices((1, 2, 3), weights=(6, 3, 1))[0] for c in criteria}
            services.comment_submit(actor=ward.user, request=request, levels=levels, text=rng.choice(TEXTS))
            if request.state == CommentRequest.State.AWAITING_CONFIRMATION and n % UNCONFIRMED_EVERY:
                services.comment_confirm(actor=ward.user, request=request)
    waiting = CommentRequest.objects.filter(commune_org=ward.organization, state__in=open_states).count()
    log(
        f"{ward.organization.name}: {len(answered)} phiếu đã nhận xét, {waiting} phiếu chưa trả lời nơi công tác"
    )
    return waiting
