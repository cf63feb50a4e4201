"""Opening and managing a service channel in the console, in headless Chromium on the small
test city: the street head opens a channel for one community (a place outside the jurisdiction
refused at its field), a resident living there finds it among their services on the phone and
a resident of the neighbouring community does not; pausing hides it, an edit renames it (a
missing post refused at its field), resuming shows it again, closing ends it for good.

Every wait is a Playwright expectation on what the page shows (no sleeps)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from citykg.access.tokens import save_principal, set_password
from citykg.channels import ensure_channels_schema
from citykg.channels.demo import save_service_form
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.ledgers.city import C1, OTHER_STREET, SUN
from tests.web.conftest import RESIDENT_PASSWORD, Site
from tests.web.test_console import sign_in
from tests.web.test_loop import ODD

HEAD_PASSWORD = "head-secret-1"
SUN_PASSWORD = "sun-secret-1"


@pytest.fixture(scope="module")
def managed(site: Site) -> Site:
    """The test city with the service form; the street head (JD01 of 110105001) and 孙强, a
    resident of the street's other community, sign in with passwords."""
    store = site.city.store
    ensure_channels_schema(store)
    save_service_form(store, ontology=load_ontology(Settings().ontology_dir))
    set_password(store, principal_id="head", password=HEAD_PASSWORD)
    save_principal(store, id="sun", kind="resident", name="孙强", person=SUN)
    set_password(store, principal_id="sun", password=SUN_PASSWORD)
    return site


@pytest.fixture
def neighbour(browser: Browser) -> Iterator[Page]:
    """A second resident's phone."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    yield context.new_page()
    context.close()


def test_an_official_opens_a_channel_that_residents_under_it_see(
    browser_pages: tuple[Page, Page], neighbour: Page, managed: Site
) -> None:
    phone, desk = browser_pages
    sign_in(desk, managed, "head", HEAD_PASSWORD)
    desk.get_by_role("link", name="服务渠道").click()
    desk.get_by_role("link", name="开设服务渠道").click()
    desk.get_by_label("标题（中文）").fill("老年助餐")
    desk.get_by_label("表单").select_option("resident-service")
    desk.get_by_label("开放范围").fill(OTHER_STREET)  # another street: refused at the field
    desk.get_by_label("承办岗位").fill("SQ05")
    desk.get_by_role("button", name="开设").click()
    places = desk.locator(".field", has=desk.get_by_label("开放范围"))
    expect(places.get_by_role("alert")).to_have_text("超出您的管辖范围")
    expect(desk.get_by_label("标题（中文）")).to_have_value("老年助餐")
    desk.get_by_label("开放范围").fill(C1)
    desk.get_by_role("button", name="开设").click()
    expect(desk.get_by_role("status")).to_have_text("服务渠道已开设。")
    expect(desk.get_by_role("heading", level=1)).to_have_text("老年助餐 开放中")

    sign_in(phone, managed, "resident", RESIDENT_PASSWORD)  # 王伟 lives in C1
    expect(phone.locator("#offered").get_by_role("link", name="老年助餐")).to_be_visible()
    sign_in(neighbour, managed, "sun", SUN_PASSWORD)  # 孙强 lives in the street's C2
    expect(neighbour.locator("#offered")).to_be_visible()
    expect(neighbour.locator("#offered")).not_to_contain_text("老年助餐")

    desk.get_by_role("button", name="暂停").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("老年助餐 已暂停")
    phone.reload()
    expect(phone.locator("#offered")).not_to_contain_text("老年助餐")

    desk.get_by_role("link", name="修改服务渠道").click()
    desk.get_by_label("标题（中文）").fill("老年助餐服务")
    desk.get_by_label("承办岗位").fill("")  # no post: refused at the field
    desk.get_by_role("button", name="保存").click()
    roles = desk.locator(".field", has=desk.get_by_label("承办岗位"))
    expect(roles.get_by_role("alert")).to_have_text("至少需要一项")
    desk.get_by_label("承办岗位").fill("SQ05")
    desk.get_by_role("button", name="保存").click()
    expect(desk.get_by_role("status")).to_have_text("已保存。")
    desk.get_by_role("button", name="恢复").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("老年助餐服务 开放中")
    phone.reload()
    expect(phone.locator("#offered").get_by_role("link", name="老年助餐服务")).to_be_visible()

    desk.get_by_role("button", name="关闭").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("老年助餐服务 已关闭")
    expect(desk.locator("#manage")).to_have_count(0)
    phone.reload()
    expect(phone.locator("#offered")).not_to_contain_text("老年助餐")


def test_residents_and_officials_without_channel_manage_cannot_open_one(
    desk: Page, phone: Page, managed: Site
) -> None:
    sign_in(desk, managed, "worker1", "worker1-secret")  # SQ05: no channel.manage
    desk.get_by_role("link", name="服务渠道").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("服务渠道")
    expect(desk.get_by_role("link", name="开设服务渠道")).to_have_count(0)
    assert desk.request.get(managed.url + "/console/channels/new").status == 403
    sign_in(phone, managed, "resident", RESIDENT_PASSWORD)
    assert phone.request.get(managed.url + "/console/channels/new").status in (303, 403)


def test_odd_input_to_the_channel_forms_never_answers_500(desk: Page, managed: Site) -> None:
    sign_in(desk, managed, "head", HEAD_PASSWORD)
    store = managed.city.store
    ids = [str(r["id"]) for r in store.read("MATCH (c:Channel) RETURN c.id AS id")]
    headers = {"X-CSRF-Token": desk.evaluate(
        "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")}  # fmt: skip
    names = ("title_zh", "title_en", "description_zh", "category", "form", "places", "roles",
             "conditions", "departments", "limit", "period_days", "opens_at", "expires_at",
             "review", "event")  # fmt: skip
    for odd in ODD:
        form: dict[str, str | float | bool] = dict.fromkeys(names, odd)
        for path in ("/console/channels", *(f"/console/channels/{x}/{verb}"
                     for x in [*ids, odd.replace("\x00", "%00")[:200] or "none"]
                     for verb in ("edit", "act"))):  # fmt: skip
            answer = desk.request.post(managed.url + path, form=form, headers=headers,
                                       max_redirects=0)  # fmt: skip
            assert answer.status < 500, (path, odd[:20], answer.status)


def test_the_channel_forms_need_the_csrf_token_and_speak_english(desk: Page, managed: Site) -> None:
    sign_in(desk, managed, "head", HEAD_PASSWORD)
    store = managed.city.store
    count = "MATCH (c:Channel) RETURN count(c) AS n"
    before = store.read(count)[0]["n"]
    form: dict[str, str | float | bool] = {"title_zh": "无令牌", "form": "resident-service",
                                           "places": C1, "roles": "SQ05"}  # fmt: skip
    forged = desk.request.post(managed.url + "/console/channels", form=form, max_redirects=0)
    assert forged.status == 403 and store.read(count)[0]["n"] == before
    desk.goto(managed.url + "/console/channels/new?lang=en")
    expect(desk.get_by_role("heading", level=1)).to_have_text("New channel")
    expect(desk.get_by_label("Handling posts")).to_be_visible()
