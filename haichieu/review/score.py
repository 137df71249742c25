"""The 213 score of an organisation (issue 13): a weighted mean of the shares of its duties under
Regulation 213-QĐ/TW done (on time), which a superior may use when rating its grassroots
organisations (QĐ 366-QĐ/TW rates collectives; seed 000 asks to tie 213 work into that rating).

Each component is a share `numerator / denominator` (selectors.score_inputs counts them) and a weight
read from `settings.HAICHIEU["REVIEW"]`, each with its entry and source in liaisons/rulebook.py (the
rules page shows them). A component with nothing to count for an organisation (a commune sends no
introductions, a workplace receives none) or a weight of 0 is left out, and the others' weights
share the score: the score is sum(weight × share) / sum(weight) over the components that count, on a
scale of 100. No component counts: no score (shown as "chưa có số liệu").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Component:
    key: str  # "coverage": the key of selectors.score_inputs' counts
    setting: str  # the HAICHIEU["REVIEW"] key of its weight (liaisons/rulebook.py has its source)
    label: str
    numerator: str  # what the numerator counts
    denominator: str  # what the denominator counts


COMPONENTS: tuple[Component, ...] = (
    Component(
        "coverage",
        "SCORE_COVERAGE",
        "Giới thiệu đảng viên về nơi cư trú",
        "đảng viên đã giới thiệu",
        "đảng viên phải giới thiệu",
    ),
    Component(
        "receptions",
        "SCORE_RECEPTIONS",
        "Tiếp nhận giấy giới thiệu đúng hạn",
        "giấy tiếp nhận hoặc trả lại trong hạn",
        "giấy đã đến hạn tiếp nhận",
    ),
    Component(
        "notices",
        "SCORE_NOTICES",
        "Thông báo biến động đúng hạn",
        "thông báo gửi trong hạn",
        "thông báo đã đến hạn",
    ),
    Component(
        "comments",
        "SCORE_COMMENTS",
        "Trả lời phiếu nhận xét đúng hạn",
        "phiếu trả lời trong hạn",
        "phiếu đã đến hạn",
    ),
    Component(
        "attendance",
        "SCORE_ATTENDANCE",
        "Dự sinh hoạt nơi cư trú",
        "lượt dự",
        "lượt phải dự",
    ),
)


def weights() -> dict[str, int]:
    """{component key: its weight} from the settings."""
    values = settings.HAICHIEU["REVIEW"]
    return {c.key: int(values[c.setting]) for c in COMPONENTS}


@dataclass(frozen=True)
class Part:
    """One component of one organisation's score: how it is made."""

    component: Component
    weight: int
    numerator: int
    denominator: int
    share_of_score: float = 0.0  # its weight over the weights that count, in % (0 when left out)

    @property
    def counts(self) -> bool:
        return self.weight > 0 and self.denominator > 0

    @property
    def rate(self) -> float | None:
        """The share done, in % (None: nothing to count)."""
        return 100 * self.numerator / self.denominator if self.denominator else None

    @property
    def points(self) -> float:
        """What the component adds to the score (its rate × its share of the score)."""
        return (self.rate or 0.0) * self.share_of_score / 100 if self.counts else 0.0


@dataclass
class Score:
    org: Any  # the Organization (score.py reads no model)
    parts: list[Part] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        """The score out of 100, or None when no component counts."""
        if not any(part.counts for part in self.parts):
            return None
        return sum(part.points for part in self.parts)

    def worst_first(self) -> tuple:
        """Sort key: the lowest score first; no score last."""
        return (self.value is None, self.value or 0.0)


def score_of(org, counts: dict[str, tuple[int, int]]) -> Score:
    """`org`'s score from its {component key: (numerator, denominator)} (selectors.score_inputs)."""
    weight = weights()
    raw = [Part(c, weight[c.key], *counts.get(c.key, (0, 0))) for c in COMPONENTS]
    total = sum(part.weight for part in raw if part.counts)
    parts = [
        Part(p.component, p.weight, p.numerator, p.denominator, 100 * p.weight / total if p.counts else 0.0)
        for p in raw
    ]
    return Score(org=org, parts=parts)
