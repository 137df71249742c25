"""Personas and helpers for the per-app tables of expected answers (see test_permissions.py)."""

PERSONAS = [
    "anonymous", "admin", "province_staff", "w1_staff", "w1c1_secretary", "w1_viewer", "w2_staff",
    "r1_staff", "r1c1_secretary", "r2_staff", "member_user", "outsider",
]  # fmt: skip
LOGGED_IN = PERSONAS[1:]


def everyone(code, anonymous=302):
    return {"anonymous": anonymous, **{p: code for p in LOGGED_IN}}


def table(default, anonymous=302, **overrides):
    result = everyone(default, anonymous)
    result.update(overrides)
    return result
