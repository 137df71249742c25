"""`{% digest_period_name %}`: what a digest period is called under the rules in force ('quý' when
DIGEST_EVERY_MONTHS is 3, 'tháng', '6 tháng', else 'kỳ'), for pages that speak of the period."""

from django import template

from haichieu.liaisons import rules

register = template.Library()


@register.simple_tag
def digest_period_name() -> str:
    return rules.digest_period_name()
