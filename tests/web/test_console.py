"""The console and the resident page in headless Chromium, on the small test city: the flows of
issue 16 (a worker edits a phone through a form, a resident files a request an official
confirms, another household is not found, errors at their fields), scoping and masking as the
API applies them, sign-in, CSRF and sign-out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from citykg.access import issue_token, principal
from citykg.access.tokens import revoke_tokens, save_principal, set_password
from citykg.ledgers.refs import seal
from citykg.web.home import glance
from tests.ledgers.city import C1, SUN, WANG
from tests.web.conftest import RESIDENT_PASSWORD, WORKER_PASSWORD, Site

NEW_MEMBER = "110105201501011239"  # valid GB 11643 check digit, no such person in the city


def sign_in(page: Page, site: Site, username: str, password: str) -> None:
    page.goto(site.url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def open_wang(desk: Page, site: Site) -> None:
    """As worker1: the persons ledger, a search, Wang's page."""
    desk.get_by_role("link", name="台账").click()
    expect(desk.locator("#rows")).to_contain_text("王伟")
    desk.get_by_role("searchbox").fill("王伟")
    desk.get_by_role("button", name="搜索").click()
    expect(desk.locator("#rows tr")).to_have_count(1)
    desk.get_by_role("link", name="王伟").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("王伟")


def test_worker_changes_a_phone_number_through_the_form(desk: Page, site: Site) -> None:
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    expect(desk).to_have_url(site.url + "/console")
    open_wang(desk, site)
    expect(desk.locator(".props")).to_contain_text("138****5678")
    desk.get_by_role("link", name="人口登记").click()
    phone = desk.get_by_label("手机号码")
    expect(phone).to_have_attribute("placeholder", "138****5678")  # masked, kept unless typed
    expect(desk.locator("#f-id_number")).to_have_text("11****************")
    phone.fill("13987654321")
    desk.get_by_role("button", name="提交").click()
    expect(desk.get_by_role("status")).to_have_text("已保存。")
    expect(desk.get_by_role("heading", level=1)).to_contain_text("王伟")
    expect(desk.locator(".props")).to_contain_text("139****4321")
    assert WANG not in desk.content()


def test_each_label_names_one_field_with_a_household_shown_masked(desk: Page, site: Site) -> None:
    """Wang's household registration shows his spouse and child as masked rows, not sent: each
    of their values is drawn under its own id, so each label 姓名 names one name: Wang's field,
    then theirs (before, every shown value had the id ``f-``, named by all its row's labels)."""
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    desk.goto(f"{site.url}/fill/household-registration?subject={seal(WANG)}")
    expect(desk.locator(".row.locked")).to_have_count(2)
    names = desk.get_by_label("姓名")
    expect(names).to_have_count(3)
    expect(names.first).to_have_value("王伟")
    expect(names.nth(1)).to_have_text("李娜")  # the spouse, then the child: the relation's order
    expect(names.nth(2)).to_have_text("王小明")
    ids = desk.locator("[id]").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_a_refused_answer_is_shown_at_its_field(desk: Page, site: Site) -> None:
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    desk.goto(f"{site.url}/fill/epidemic-screening?subject={seal(WANG)}")
    desk.get_by_label("手机号码").fill("123")
    desk.get_by_role("button", name="提交").click()
    field = desk.locator(".field", has=desk.get_by_label("手机号码"))
    expect(field.get_by_role("alert")).to_have_text("请填写 11 位手机号码")
    expect(desk.get_by_label("手机号码")).to_have_attribute("aria-invalid", "true")
    expect(desk.get_by_label("手机号码")).to_have_value("123")  # kept for correcting
    health = desk.locator(".field", has=desk.get_by_label("健康状况"))
    expect(health.get_by_role("alert")).to_contain_text("必填")
    expect(desk.locator(".summary")).to_contain_text("提交未成功")


def test_resident_files_a_request_an_official_confirms(
    browser_pages: tuple[Page, Page], site: Site
) -> None:
    phone, desk = browser_pages
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    expect(phone).to_have_url(site.url + "/my")
    phone.get_by_role("link", name="人口登记").click()
    members = phone.locator("#g-members")
    expect(members.locator(".row")).to_have_count(2)  # my household, in clear: it is mine
    members.get_by_role("button", name="添加一项").click()
    row = members.locator(".row").nth(2)
    row.get_by_label("公民身份号码").fill(NEW_MEMBER)
    row.get_by_label("姓名").fill("王小红")
    row.get_by_label("与户主关系").select_option(label="孙女")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(site.url + "/my/requests")
    expect(phone.get_by_role("status")).to_contain_text("等待社区工作人员审核")
    request = phone.locator(".request").first
    expect(request).to_contain_text("人口登记")
    expect(request.locator(".status")).to_have_text("待审核")

    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    desk.get_by_role("link", name="待审核").first.click()
    held = desk.get_by_role("row").filter(has_text="household-registration")
    expect(held).to_contain_text("11****************")
    held.get_by_role("button", name="确认").click()
    expect(desk.get_by_role("status")).to_have_text("已处理。")

    phone.reload()
    expect(phone.locator(".request").first.locator(".status")).to_have_text("已确认")
    phone.get_by_role("link", name="我的", exact=True).click()
    expect(phone.locator("main")).to_contain_text("王小红")  # now in my household


def test_resident_never_sees_another_household(phone: Page, site: Site) -> None:
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    phone.get_by_role("link", name="我的", exact=True).click()
    expect(phone.locator("main")).to_contain_text("李娜")
    phone.get_by_role("link", name="李娜").first.click()  # a member of my household opens
    expect(phone.get_by_role("heading", level=1)).to_contain_text("李娜")
    for path in (
        f"/entities/Person/{seal(SUN)}",
        f"/fill/household-registration?subject={seal(SUN)}",
    ):
        answer = phone.goto(site.url + path)
        assert answer is not None and answer.status == 404
        expect(phone.get_by_role("heading", level=1)).to_have_text("未找到")
        expect(phone.locator("main")).not_to_contain_text("孙强")
    answer = phone.goto(site.url + "/console/ledgers/Person")
    assert answer is not None and answer.status == 403


def test_home_and_place_tree_within_jurisdiction(desk: Page, site: Site) -> None:
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    expect(desk.locator(".tile").first).to_contain_text("待审核事项")
    glance = desk.locator("section.card").filter(has_text=C1)
    expect(glance).to_contain_text("人")
    desk.get_by_role("link", name="地点").click()
    expect(desk).to_have_url(f"{site.url}/console/places/{C1}")  # one root: its page
    expect(desk.locator("main")).to_contain_text("负责单位")
    expect(desk.locator("main")).to_contain_text("建外1号院")
    answer = desk.goto(f"{site.url}/console/places/110105001002")  # worker2's community
    assert answer is not None and answer.status == 404


def test_worker_lists_persons_masked_and_in_scope(desk: Page, site: Site) -> None:
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    desk.get_by_role("link", name="台账").click()
    row = desk.get_by_role("row").filter(has_text="王伟")
    expect(row).to_contain_text("11****************")
    expect(desk.locator("#rows")).not_to_contain_text("孙强")  # another community's resident
    desk.get_by_role("link", name="组织").click()
    expect(desk.locator("#rows")).to_contain_text("王记小卖部")


def test_wrong_password_english_switch_and_sign_out(desk: Page, site: Site) -> None:
    desk.goto(site.url + "/?lang=en")
    desk.get_by_label("Username").fill("resident")
    desk.get_by_label("Password").fill("not-the-password")
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("alert")).to_have_text("Wrong token, or wrong username or password")
    desk.get_by_label("API token").fill(site.city.tokens["worker1"])
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("navigation").first).to_contain_text("Ledgers")
    desk.goto(f"{site.url}/fill/epidemic-screening?subject={seal(WANG)}")
    expect(desk.locator("main")).to_contain_text("mobile phone")  # the ontology's own label
    desk.get_by_role("button", name="Sign out").click()
    expect(desk).to_have_url(site.url + "/")
    desk.goto(site.url + "/console")
    expect(desk).to_have_url(site.url + "/")


def test_posts_without_the_csrf_token_are_refused(desk: Page, site: Site) -> None:
    desk.goto(site.url + "/")  # a session with a CSRF token
    cookie = next(c for c in desk.context.cookies() if c["name"] == "citykg_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    answer = desk.request.post(site.url + "/signin", form={"token": site.city.tokens["worker1"]})
    assert answer.status == 403
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    answer = desk.request.post(
        f"{site.url}/fill/epidemic-screening",
        form={"subject": seal(WANG), "mobile_phone": "13900000000"},
    )
    assert answer.status == 403
    desk.goto(f"{site.url}/entities/Person/{seal(WANG)}")
    expect(desk.locator(".props")).not_to_contain_text("139****0000")


def test_a_session_ends_with_the_token_or_password_it_signed_in_with(
    desk: Page, site: Site
) -> None:
    """Revoking the token a session was opened with, or changing the password, signs the
    browser out at its next page, not hours later when the cookie expires."""
    store = site.city.store
    person = principal(store, "worker1").person
    save_principal(store, id="night-shift", kind="official", name="夜班", person=person)
    token = issue_token(store, principal_id="night-shift")
    desk.goto(site.url + "/")
    desk.get_by_label("API 令牌").fill(token)
    desk.get_by_role("button", name="登录").click()
    expect(desk.get_by_role("navigation").first).to_contain_text("台账")
    revoke_tokens(store, principal_id="night-shift")
    desk.goto(site.url + "/console")
    expect(desk).to_have_url(site.url + "/")
    expect(desk.get_by_role("button", name="登录")).to_be_visible()

    set_password(store, principal_id="night-shift", password="night-secret-1")
    sign_in(desk, site, "night-shift", "night-secret-1")
    expect(desk.get_by_role("navigation").first).to_contain_text("台账")
    set_password(store, principal_id="night-shift", password="night-secret-2")
    desk.goto(site.url + "/console")
    expect(desk).to_have_url(site.url + "/")


def test_the_home_counts_are_kept_a_minute_per_scope_never_shared_across_scopes(
    site: Site,
) -> None:
    """The jurisdiction's counts take seconds at a district's size, so the home page keeps them
    a minute; the key is the scope and disclosure, so another scope (or a transfer) is counted
    anew, never served someone else's counts."""
    store = site.city.store
    worker, head = principal(store, "worker1"), principal(store, "head")
    first = glance(store, worker, C1)
    assert glance(store, worker, C1) is first  # kept
    street = head.scope.roots[0]
    assert street != C1 and glance(store, head, street).counts["Person"].code == street
    assert first.counts["Person"].total is not None and first.counts["Person"].code == C1
