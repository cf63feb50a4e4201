"""The console and the resident page in headless Chromium: sign-in, scoping and masking as the
API applies them, the not-found page for what is not yours, CSRF and sign-out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from citykg.ledgers.refs import seal
from tests.ledgers.city import SUN, WANG
from tests.web.conftest import RESIDENT_PASSWORD, Site


def sign_in_with_token(page: Page, site: Site, principal_id: str) -> None:
    page.goto(site.url + "/")
    page.locator("input[name=token]").fill(site.city.tokens[principal_id])
    page.locator("form.signin button").click()


def test_worker_lists_persons_and_sees_the_id_masked(desk: Page, site: Site) -> None:
    sign_in_with_token(desk, site, "worker1")
    expect(desk).to_have_url(site.url + "/console")
    desk.get_by_role("link", name="人员台账").click()
    row = desk.get_by_role("row").filter(has_text="王伟")
    expect(row).to_contain_text("11****************")
    expect(desk.locator("#rows")).not_to_contain_text("孙强")  # another community's resident
    desk.get_by_role("searchbox").fill("李娜")
    desk.get_by_role("button", name="搜索").click()
    expect(desk.locator("#rows tr")).to_have_count(1)
    desk.get_by_role("link", name="李娜").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("11****************")
    expect(desk.locator("main")).to_contain_text("户内成员")
    assert WANG not in desk.content() and "110105195202022220" not in desk.content()


def test_resident_sees_their_household_and_no_other(phone: Page, site: Site) -> None:
    phone.goto(site.url + "/")
    phone.get_by_label("用户名").fill("resident")
    phone.get_by_label("密码").fill(RESIDENT_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(site.url + "/my")
    expect(phone.locator("main")).to_contain_text("王伟")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    phone.get_by_role("link", name="李娜").first.click()  # a member of my household opens
    expect(phone.get_by_role("heading", level=1)).to_contain_text("李娜")
    response = phone.goto(f"{site.url}/entities/Person/{seal(SUN)}")
    assert response is not None and response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("未找到")
    expect(phone.locator("main")).not_to_contain_text("孙强")


def test_wrong_password_english_switch_and_sign_out(desk: Page, site: Site) -> None:
    desk.goto(site.url + "/?lang=en")
    desk.get_by_label("Username").fill("resident")
    desk.get_by_label("Password").fill("not-the-password")
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("alert")).to_have_text("Wrong token, or wrong username or password")
    sign_in_with_token(desk, site, "worker1")  # the language cookie keeps English
    expect(desk.get_by_role("navigation")).to_contain_text("Persons")
    desk.get_by_role("button", name="Sign out").click()
    expect(desk).to_have_url(site.url + "/")
    desk.goto(site.url + "/console")
    expect(desk).to_have_url(site.url + "/")


def test_forms_without_the_csrf_token_are_refused(desk: Page, site: Site) -> None:
    desk.goto(site.url + "/")  # a session with a CSRF token
    cookie = next(c for c in desk.context.cookies() if c["name"] == "citykg_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    answer = desk.request.post(site.url + "/signin", form={"token": site.city.tokens["worker1"]})
    assert answer.status == 403
    desk.goto(site.url + "/console")
    expect(desk).to_have_url(site.url + "/")
