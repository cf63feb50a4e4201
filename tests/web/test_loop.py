"""The channel, notification and event pages in headless Chromium, on the small test city: a
resident's request answered by the handling post, a notice read and confirmed with the roll-up
moving, a 随手拍 report dispatched by the command centre, and the console closed to residents.

Each flow runs the resident on a phone and the official on a desktop side by side; every wait
is a Playwright expectation on what the page shows (no sleeps)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from citykg import events
from citykg.access import principal
from citykg.access.tokens import save_principal, set_password
from citykg.api.deps import catalog_of
from citykg.channels import ChannelSpec, Text, create_channel, ensure_channels_schema
from citykg.channels.demo import save_service_form
from citykg.events import Action, Report
from citykg.events.setting import setting
from citykg.notifications import ensure_notifications_schema
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.ledgers.city import BUILDING1, STREET
from tests.web.conftest import RESIDENT_PASSWORD, WORKER_PASSWORD, Site
from tests.web.test_console import sign_in

CENTRE_PASSWORD = "centre-secret-1"
CENTRE_PERSON = "110105198202020026"
CENTRE_ORG = "11110105MB0000009X"
COMMAND_CENTRE = """
MATCH (district:Place {placeCode: '110105'})
CREATE (p:Person:Official {idNumber: $person, name: '调度员', gender: '2', birthDate: '1982-02-02'})
CREATE (o:Organization:GovernmentDepartment {creditCode: $org, name: '朝阳区城市管理委员会'})
CREATE (o)-[:HAS_JURISDICTION_OVER {since: '2020-01-01'}]->(district)
CREATE (p)-[:HOLDS_POST_IN {role: 'BM01', tags: [], since: '2024-01-01'}]->(o)
"""


@dataclass(frozen=True)
class Loop:
    site: Site
    channel: str


@pytest.fixture(scope="module")
def loop(site: Site) -> Iterator[Loop]:
    """The test city with the service form, a street channel handled by the communities'
    workers (SQ05), and a district command centre whose dispatcher signs in as ``centre``."""
    store = site.city.store
    settings = Settings()
    ensure_channels_schema(store)
    ensure_notifications_schema(store)
    save_service_form(store, ontology=load_ontology(settings.ontology_dir))
    spec = ChannelSpec(title=Text(zh="居住证明", en="Proof of residence"),
                       form="resident-service", places=(STREET,), roles=("SQ05",))  # fmt: skip
    channel = create_channel(store, catalog=catalog_of(settings),
                             principal=principal(store, "head"), spec=spec)  # fmt: skip
    store.write(COMMAND_CENTRE, {"person": CENTRE_PERSON, "org": CENTRE_ORG})
    save_principal(store, id="centre", kind="official", name="调度员", person=CENTRE_PERSON)
    set_password(store, principal_id="centre", password=CENTRE_PASSWORD)
    setting(store, fresh=True)  # intake's cached places and duties: this city's, not the last
    yield Loop(site, channel.id)


def test_a_resident_request_is_answered_and_the_resident_reads_the_answer(
    browser_pages: tuple[Page, Page], loop: Loop
) -> None:
    phone, desk = browser_pages
    site = loop.site
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    phone.locator("#offered").get_by_role("link", name="居住证明").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("居住证明")
    phone.get_by_label("补充说明（可选）").fill("办理落户需要")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status")).to_have_text("申请已提交。")
    filed = phone.locator("#filed .request", has_text="居住证明")
    expect(filed.locator(".status")).to_have_text("已收到")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    expect(desk.locator(".tile", has_text="未答复的居民诉求").locator(".count")).to_have_text("1")
    desk.get_by_role("link", name="服务渠道").click()
    desk.get_by_role("link", name="待办诉求").click()
    desk.locator("#queue").get_by_role("link", name="居住证明").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("已收到")
    desk.get_by_role("button", name="答复", exact=True).click()  # no text: refused at the field
    field = desk.locator(".field", has=desk.get_by_label("答复内容"))
    expect(field.get_by_role("alert")).to_have_text("该操作须填写原因")
    desk.get_by_label("答复内容").fill("请携带户口簿到社区居委会领取证明。")
    desk.get_by_role("button", name="答复", exact=True).click()
    expect(desk.get_by_role("status")).to_have_text("已处理。")
    expect(desk.locator("#replies")).to_contain_text("请携带户口簿到社区居委会领取证明。")
    desk.get_by_role("button", name="受理", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("已受理")

    phone.reload()
    expect(filed.locator(".status")).to_have_text("已受理")
    expect(filed).to_contain_text("请携带户口簿到社区居委会领取证明。")


def test_a_notification_is_read_and_confirmed_and_the_rollup_moves(
    browser_pages: tuple[Page, Page], loop: Loop
) -> None:
    phone, desk = browser_pages
    site = loop.site
    sign_in(desk, site, "worker1", WORKER_PASSWORD)
    desk.get_by_role("link", name="通知", exact=True).click()
    desk.get_by_role("link", name="发布通知").click()
    desk.get_by_label("标题（中文）").fill("停水通知")
    desk.get_by_label("正文（中文）").fill("明日 9:00–12:00 1号楼停水。")
    desk.get_by_label("范围").fill("110105999")  # outside: refused at the field, as the API
    desk.get_by_label("需回执").check()
    desk.get_by_role("button", name="发送").click()
    scope = desk.locator(".field", has=desk.get_by_label("范围"))
    expect(scope.get_by_role("alert")).to_have_text("超出您的管辖范围")
    desk.get_by_label("范围").fill(BUILDING1)
    desk.get_by_label("范围").dispatch_event("change")
    reach = desk.locator("#reach [data-reach]")
    expect(reach).to_be_visible()
    reached = int(reach.get_attribute("data-reach") or "0")
    assert reached >= 4  # the four persons of the city's building 1, and the fixture's
    desk.get_by_role("button", name="发送").click()
    expect(desk.get_by_role("status")).to_have_text("通知已发送。")
    totals = desk.locator("#totals")
    expect(totals.locator("[data-k=delivered]")).to_have_text(str(reached))
    expect(totals.locator("[data-k=read]")).to_have_text("0")
    expect(totals.locator("[data-k=confirmed]")).to_have_text("0")
    expect(desk.locator("#unread")).to_contain_text("王伟")

    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    phone.get_by_role("link", name="消息").click()
    message = phone.locator("#messages .message", has_text="停水通知")
    expect(message.locator(".status")).to_have_text("未读")
    message.get_by_role("button", name="确认回执").click()
    expect(phone.get_by_role("status")).to_have_text("已回执。")
    expect(message.locator(".status")).to_have_text("已回执")

    desk.reload()
    expect(totals.locator("[data-k=read]")).to_have_text("1")
    expect(totals.locator("[data-k=confirmed]")).to_have_text("1")
    expect(totals.locator("[data-k=unread]")).to_have_text(str(reached - 1))
    expect(desk.locator("#unread")).not_to_contain_text("王伟")
    desk.get_by_role("button", name="向未读人员再次发送").click()
    expect(desk.get_by_role("status")).to_have_text("已向未读人员再次发送。")


def test_a_reported_event_is_dispatched_by_the_command_centre(
    browser_pages: tuple[Page, Page], loop: Loop
) -> None:
    phone, desk = browser_pages
    site = loop.site
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    phone.get_by_role("link", name="随手拍").click()
    phone.get_by_role("button", name="提交").click()  # no description: refused at its field
    field = phone.locator(".field", has=phone.get_by_label("描述"))
    expect(field.get_by_role("alert")).to_have_text("内容过短")
    phone.get_by_label("类别").select_option("0102")
    phone.get_by_label("描述").fill("楼下垃圾桶满了，垃圾堆在路边没人清运")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status")).to_contain_text("已上报")
    report = phone.locator("#filed .request", has_text="垃圾桶满")
    expect(report.locator(".status")).to_have_text("受理")

    sign_in(desk, site, "centre", CENTRE_PASSWORD)
    desk.get_by_role("link", name="事件", exact=True).click()
    desk.locator("#events").get_by_role("link", name="垃圾桶满", exact=False).click()
    expect(desk.locator("#stage")).to_have_text("受理")
    desk.locator("details", has_text="派单").first.locator("summary").click()
    desk.get_by_role("button", name="派单", exact=True).click()
    expect(desk.get_by_role("status")).to_have_text("已处理。")
    expect(desk.locator("#stage")).to_have_text("已派单")
    expect(desk.locator("#history")).to_contain_text("派单")

    phone.reload()
    expect(report.locator(".status")).to_have_text("已派单")


def reported(loop: Loop, description: str) -> str:
    """A report of the resident's at their building; its id."""
    store = loop.site.city.store
    return events.report(store, ontology=load_ontology(Settings().ontology_dir),
                         principal=principal(store, "resident"),
                         report=Report(description=description, place=BUILDING1),
                         at=datetime.now(UTC)).event.id  # fmt: skip


def closed_report(loop: Loop, description: str) -> str:
    """A report of the resident's, closed by the command centre; its id."""
    store = loop.site.city.store
    case = events.detail(store, principal(store, "centre"), reported(loop, description),
                         now=datetime.now(UTC))[0]  # fmt: skip
    close = Action(event="close", closure="transferred")
    events.act(store, principal=principal(store, "centre"), event_id=case.id, action=close,
               at=datetime.now(UTC))  # fmt: skip
    return case.id


def test_a_reporter_rates_a_closed_case_not_fixed_and_reopens_another(
    phone: Page, loop: Loop
) -> None:
    closed_report(loop, "路灯坏了一直不亮，晚上很黑")
    closed_report(loop, "井盖丢了很危险，请尽快处理")
    sign_in(phone, loop.site, "resident", RESIDENT_PASSWORD)
    phone.get_by_role("link", name="我的申请").click()
    lamp = phone.locator("#filed .request", has_text="路灯坏了")
    expect(lamp.locator(".status")).to_have_text("办结")
    lamp.get_by_label("不满意").check()
    lamp.get_by_role("group", name="问题真的解决了吗？").get_by_label("否").check()
    lamp.get_by_label("意见（可选）").fill("灯还是不亮")
    lamp.get_by_role("button", name="评价").click()
    expect(phone.get_by_role("status")).to_have_text("感谢您的评价。")
    expect(lamp.locator(".status")).to_have_text("已评价")

    cover = phone.locator("#filed .request", has_text="井盖丢了")
    cover.get_by_role("button", name="重新打开").click()  # no reason: refused at its field
    expect(
        phone.locator("#filed .request", has_text="井盖丢了").get_by_role("alert")
    ).not_to_have_count(0)
    cover.get_by_label("重新打开的原因").fill("井盖还是没有")
    cover.get_by_role("button", name="重新打开").click()
    expect(phone.get_by_role("status")).to_have_text("已重新打开，将重新派单办理。")
    expect(cover.locator(".status")).to_have_text("已派单")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_command_centre_sends_a_field_task_for_a_case(desk: Page, loop: Loop) -> None:
    case = reported(loop, "小区围墙有裂缝，担心倒塌，需要现场查看")
    sign_in(desk, loop.site, "centre", CENTRE_PASSWORD)
    desk.goto(f"{loop.site.url}/console/events/{case}")
    expect(desk.locator("#field-tasks")).to_contain_text("没有记录")
    desk.get_by_role("link", name="派发现场任务").click()
    expect(desk.get_by_label("标题（中文）")).to_have_value(re.compile("^现场核查：小区围墙有裂缝"))
    expect(desk.get_by_label("任务范围")).to_have_value(BUILDING1[:9])  # the case's street
    desk.get_by_label("表单").select_option("resident-service")
    desk.get_by_role("button", name="创建任务").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("现场核查")
    desk.goto(f"{loop.site.url}/console/events/{case}")
    expect(desk.locator("#field-tasks")).to_contain_text("现场核查：小区围墙有裂缝")


def test_the_kpi_page_advises_deadlines_per_stage(desk: Page, loop: Loop) -> None:
    sign_in(desk, loop.site, "centre", CENTRE_PASSWORD)
    desk.goto(loop.site.url + "/console/events/kpis?by=street")
    advice = desk.get_by_role("table", name="期限建议")
    expect(advice.locator("tbody tr")).to_have_count(5)  # one row per stage
    expect(advice.locator("thead")).to_contain_text("≤ 3 天")
    expect(advice.locator("tbody")).to_contain_text("已派单")


def test_a_resident_cannot_open_an_official_page(phone: Page, loop: Loop) -> None:
    site = loop.site
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    expect(phone).to_have_url(site.url + "/my")
    for path in ("/console/channels/queue", "/console/notifications/new", "/console/events"):
        response = phone.goto(site.url + path)
        assert response is not None and response.status == 403
        expect(phone.get_by_role("heading", level=1)).to_have_text("无权访问")
    expect(phone.locator("nav.nav")).not_to_contain_text("事件")


RESIDENT_PAGES = ("/my", "/my/requests", "/my/messages", "/my/report", "/my/me")
POSTED = ("text", "event", "title_zh", "body_zh", "scope", "filters", "expires_at", "priority",
          "master", "reason", "reply", "closure", "description", "where", "address", "category",
          "department")  # fmt: skip
ODD = ("\x00", "x" * 5000, "<script>alert(1)</script>", "'; DROP", "１２３", "")


def test_odd_input_never_answers_500(desk: Page, phone: Page, loop: Loop) -> None:
    """Every page of these areas, asked with odd values, answers a page (4xx at worst)."""
    site = loop.site
    store = site.city.store
    ids = [str(r["id"]) for r in store.read(
        "MATCH (n) WHERE (n:Event AND n.state IS NOT NULL) OR n:Notification OR n:Channel "
        "RETURN n.id AS id")]  # fmt: skip
    sign_in(desk, site, "centre", CENTRE_PASSWORD)
    sign_in(phone, site, "resident", RESIDENT_PASSWORD)
    for page, posts, gets in (
        (desk, ("/console/channels/requests/{x}/act", "/console/notifications",
                "/console/notifications/preview", "/console/notifications/{x}/resend",
                "/console/notifications/inbox/{x}/read", "/console/events/{x}/transitions",
                "/console/events/{x}/merge"),
         ("/console/channels?state={x}", "/console/channels/queue?state={x}",
          "/console/channels/{x}", "/console/channels/{x}/stats?level={x}",
          "/console/channels/requests/{x}", "/console/notifications/{x}?level={x}",
          "/console/events?state={x}&skip=1", "/console/events/{x}",
          "/console/events/kpis?start={x}&end={x}&by={x}&district={x}")),
        (phone, ("/my/report", "/my/messages/{x}/read", "/my/messages/{x}/confirm",
                 "/my/channels/{x}"),
         ("/my/channels/{x}",)),
    ):  # fmt: skip
        headers = {"X-CSRF-Token": page.evaluate(
            "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")}  # fmt: skip
        for odd in ODD:
            for path in [p.replace("{x}", known) for p in posts for known in ids] + list(posts):
                form: dict[str, str | float | bool] = dict.fromkeys(POSTED, odd)
                url = site.url + path.format(x=odd.replace("\x00", "%00")[:200] or "none")
                answer = page.request.post(url, form=form, headers=headers, max_redirects=0)
                assert answer.status < 500, (path, odd[:20], answer.status)
            for path in gets:
                url = site.url + path.format(x=odd.replace("\x00", "")[:200] or "none")
                answer = page.request.get(url)
                assert answer.status < 500, (path, odd[:20], answer.status)
    for page, paths in ((desk, ("/console", "/console/channels", "/console/channels/queue",
                                "/console/notifications", "/console/notifications/new",
                                "/console/events", "/console/events/kpis",
                                *(f"/console/events/{i}" for i in ids),
                                *(f"/console/notifications/{i}" for i in ids))),
                        (phone, RESIDENT_PAGES)):  # fmt: skip
        for path in paths:  # in English too
            answer = page.request.get(f"{site.url}{path}?lang=en")
            assert answer.status in (200, 404), (path, answer.status)
