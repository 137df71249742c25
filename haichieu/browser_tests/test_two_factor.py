"""Two-factor sign-in in a real browser: the province's staff sets up an authenticator app at the
first sign-in (QR code made by the app itself), then signs in with a code."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from haichieu.testing import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str, offset: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def test_province_staff_sets_up_two_factor_then_signs_in_with_a_code(
    world, page, log_in, two_factor_required
):
    log_in(page, "province_staff")
    # Nothing else opens before the set-up.
    expect(page.get_by_role("heading", name="Cài đặt xác thực hai bước")).to_be_visible()
    page.get_by_role("link", name="Đảng viên").first.click()
    expect(page.get_by_role("heading", name="Cài đặt xác thực hai bước")).to_be_visible()

    qr = page.locator("#two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert page.evaluate("document.getElementById('two-factor-qr').naturalWidth") > 0
    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_label("Mã trên ứng dụng").fill(code_for(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").fill("province_staff")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xác thực hai bước")).to_be_visible()
    page.get_by_label("Mã xác thực").fill(code_for(secret, 30))  # the set-up's code does not count twice
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Xin chào")).to_be_visible()
    page.get_by_role("link", name="Đảng viên").first.click()
    expect(page.locator("main")).to_contain_text("Nguyễn Văn An")
