"""``python -m citykg.web.screenshots``: the README's screenshots, on the demo city.

A fresh demo city (the one ``citykg demo`` serves) is made in a temporary graph (or ``--graph``),
served locally, and its main pages are shot in Debian's headless Chromium: the console on the
desktop (1280 px) as the demo's officials (the community worker, the survey's creator and
workers, the channel, notice and case handlers), the resident page on a phone (375 px) as the
demo resident, and a few pages at both sizes.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
from playwright.sync_api import Browser, Page, ViewportSize, expect

from citykg.access.tokens import save_principal, set_password
from citykg.api.app import create_app
from citykg.cli.options import build_settings, opened_store
from citykg.demo import prepare_demo
from citykg.graph import GraphStore
from citykg.web.local import chromium, served

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 812}
NEWBORN = "110105202401010022"
"""A new household member the resident asks to register (a request held for review)."""


def _signed_in(
    browser: Browser,
    url: str,
    user: str,
    password: str,
    size: ViewportSize,
) -> Page:
    phone = size["width"] < 600
    context = browser.new_context(
        locale="zh-CN", viewport=size, device_scale_factor=1, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.goto(url + "/")
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("nav.nav")).to_be_visible()
    return page


def shoot(browser: Browser, url: str, out: Path, passwords: dict[str, str]) -> list[Path]:
    """Every screenshot, written to ``out``; their paths."""
    made: list[Path] = []

    def save(page: Page, name: str, *, full: bool = False) -> None:
        page.wait_for_load_state("networkidle")
        path = out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        made.append(path)

    for size, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = browser.new_context(locale="zh-CN", viewport=size, device_scale_factor=1)
        page = context.new_page()
        page.goto(url + "/")
        save(page, f"{tag}-sign-in")
        context.close()

    phone = _signed_in(browser, url, "resident", passwords["resident"], PHONE)
    save(phone, "phone-services")
    phone.get_by_role("link", name="人口登记").click()
    save(phone, "phone-form", full=True)
    members = phone.locator("#g-members")
    members.get_by_role("button", name="添加一项").click()
    row = members.locator(".row").last
    row.get_by_label("公民身份号码").fill(NEWBORN)
    row.get_by_label("姓名").fill("李安安")
    row.get_by_label("与户主关系").select_option(label="孙女")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator(".request").first).to_be_visible()
    save(phone, "phone-requests")
    phone.get_by_role("link", name="我的", exact=True).click()
    save(phone, "phone-household", full=True)
    phone.context.close()

    desk = _signed_in(browser, url, "worker", passwords["worker"], DESKTOP)
    expect(desk.locator("#glance .totals").first).to_be_visible()  # counted after the page
    save(desk, "desktop-home")
    desk.get_by_role("link", name="地点", exact=True).click()
    save(desk, "desktop-place")
    desk.get_by_role("link", name="台账", exact=True).click()
    expect(desk.locator("#rows tr").first).to_be_visible()
    save(desk, "desktop-ledger")
    desk.locator("#rows tr").filter(has_text="老年人").first.get_by_role("link").click()
    expect(desk.locator(".props")).to_be_visible()
    save(desk, "desktop-entity")
    desk.get_by_role("link", name="疫情排查").click()
    desk.get_by_label("手机号码").fill("1380013")
    desk.get_by_role("button", name="提交").click()
    expect(desk.locator(".field-error").first).to_be_visible()
    save(desk, "desktop-form-errors", full=True)
    desk.get_by_role("link", name="待审核", exact=True).click()
    save(desk, "desktop-reviews")
    desk.context.close()

    loop_pages(browser, url, passwords, save)
    task_pages(browser, url, passwords, save)
    builder_pages(browser, url, passwords["builder"], save)
    return made


TASK_USERS = ("district", "demo-sq05-0")
"""The demo survey's creator and a community worker holding the post its items went to."""


def task_pages(
    browser: Browser, url: str, passwords: dict[str, str], save: Callable[..., None]
) -> None:
    """The demo survey (老年人关爱走访): the creator's task list and its progress by level, a
    worker's items and one of their forms, prefilled."""
    desk = _signed_in(browser, url, "district", passwords["district"], DESKTOP)
    desk.locator("nav.nav").get_by_role("link", name="我的任务").click()
    expect(desk.locator("#followed tbody tr").first).to_be_visible()
    save(desk, "desktop-tasks")
    desk.locator("#followed").get_by_role("link").first.click()
    expect(desk.locator("#levels")).to_be_visible()
    save(desk, "desktop-task-progress", full=True)
    desk.context.close()
    desk = _signed_in(browser, url, "demo-sq05-0", passwords["demo-sq05-0"], DESKTOP)
    desk.locator("nav.nav").get_by_role("link", name="我的任务").click()
    expect(desk.locator("#items tbody tr").first).to_be_visible()
    save(desk, "desktop-task-items")
    fill = desk.locator("#items").get_by_role("link", name="填报")
    if fill.count():
        fill.first.click()
        save(desk, "desktop-task-fill", full=True)
    desk.context.close()


def builder_pages(browser: Browser, url: str, password: str, save: Callable[..., None]) -> None:
    """The form builder on the demo's household registration: a term found by its synonym,
    and a relation bound to the wrong class, its error at the field."""
    desk = _signed_in(browser, url, "builder", password, DESKTOP)
    desk.goto(url + "/console/builder?form=household-registration")
    desk.get_by_role("searchbox").fill("身份证")
    expect(desk.locator("#hits button").first).to_be_visible()
    save(desk, "desktop-builder")
    desk.locator("#card-9").get_by_label("关联实体类").fill("Organization")
    expect(desk.locator("#err-9")).not_to_be_empty()
    desk.locator("#card-9").scroll_into_view_if_needed()
    save(desk, "desktop-builder-error")
    desk.context.close()


def loop_principals(store: GraphStore) -> list[str]:
    """The demo officials who handle requests, manage a channel, send notices and dispatch
    cases (the demo seeds them: channels, notifications, events)."""
    rows = store.read(
        "MATCH (p:Principal) WHERE p.id IN ['demo-channel-handler', 'demo-channel-head', "
        "'demo-notice-worker'] OR p.id STARTS WITH 'demo-events-' "
        "RETURN p.id AS id ORDER BY id"
    )
    found = [str(r["id"]) for r in rows]
    unread = store.read(
        "MATCH (d:Delivery)<-[]-(:Notification {mustConfirm: true}) WHERE d.readAt IS NULL "
        "MATCH (p:Person {idNumber: d.person}) RETURN p.idNumber AS person, p.name AS name "
        "ORDER BY person LIMIT 1"
    ) or store.read(
        "MATCH (d:Delivery) WHERE d.readAt IS NULL MATCH (p:Person {idNumber: d.person}) "
        "RETURN p.idNumber AS person, p.name AS name ORDER BY person LIMIT 1"
    )
    if unread:  # a resident the demo notices reached, who has not read them yet
        save_principal(store, id="demo-reader", kind="resident", name=str(unread[0]["name"]),
                       person=str(unread[0]["person"]))  # fmt: skip
        found.append("demo-reader")
    return found


def loop_pages(
    browser: Browser, url: str, passwords: dict[str, str], save: Callable[..., None]
) -> None:
    """Channels, notifications and events (desktop) and the resident's messages and 随手拍."""
    reader = "demo-reader" if "demo-reader" in passwords else "resident"
    phone = _signed_in(browser, url, reader, passwords[reader], PHONE)
    phone.get_by_role("link", name="消息").click()
    save(phone, "phone-messages", full=True)
    phone.context.close()
    phone = _signed_in(browser, url, "resident", passwords["resident"], PHONE)
    phone.get_by_role("link", name="服务", exact=True).click()
    phone.get_by_role("link", name="随手拍").click()
    phone.get_by_label("描述").fill("楼下垃圾桶满了，垃圾堆在路边没人清运")
    save(phone, "phone-report", full=True)
    phone.context.close()

    if "demo-channel-handler" in passwords:
        desk = _signed_in(browser, url, "demo-channel-handler",
                          passwords["demo-channel-handler"], DESKTOP)  # fmt: skip
        desk.goto(url + "/console/channels/queue")
        save(desk, "desktop-channel-queue")
        desk.locator("#queue a").first.click()
        save(desk, "desktop-channel-request", full=True)
        desk.context.close()
    if "demo-channel-head" in passwords:
        desk = _signed_in(browser, url, "demo-channel-head", passwords["demo-channel-head"],
                          DESKTOP)  # fmt: skip
        desk.locator("nav.nav").get_by_role("link", name="服务渠道").click()
        save(desk, "desktop-channels")
        desk.locator("table a").first.click()
        desk.get_by_role("link", name="统计").click()
        save(desk, "desktop-channel-stats", full=True)
        desk.context.close()
    if "demo-notice-worker" in passwords:
        desk = _signed_in(browser, url, "demo-notice-worker", passwords["demo-notice-worker"],
                          DESKTOP)  # fmt: skip
        desk.locator("nav.nav").get_by_role("link", name="通知").click()
        save(desk, "desktop-notifications")
        desk.locator("#sent a").first.click()
        save(desk, "desktop-notification-rollup")
        desk.locator("nav.nav").get_by_role("link", name="通知").click()
        desk.get_by_role("link", name="发布通知").click()
        desk.get_by_label("标题（中文）").fill("燃气安全检查通知")
        desk.get_by_label("正文（中文）").fill("本周六上午入户检查燃气管道，请家中留人。")
        expect(desk.locator("#reach [data-reach]")).to_be_visible()
        save(desk, "desktop-notification-compose", full=True)
        desk.context.close()
    handlers = sorted(p for p in passwords if p.startswith("demo-events-"))
    centre = next((p for p in handlers if p.endswith("-bm01")), next(iter(handlers), "worker"))
    if centre in passwords:
        desk = _signed_in(browser, url, centre, passwords[centre], DESKTOP)
        desk.locator("nav.nav").get_by_role("link", name="事件").click()
        save(desk, "desktop-events")
        desk.goto(url + "/console/events?state=replied")
        desk.locator("#events a").first.click()
        expect(desk.locator("#history")).to_be_visible()
        closing = desk.locator("details.step summary", has_text="办结")
        if closing.count():
            closing.first.click()
        save(desk, "desktop-event", full=True)
        desk.goto(url + "/console/events/kpis")
        save(desk, "desktop-event-kpis")
        desk.context.close()


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/screenshots"),
    show_default=True,
)
@click.option(
    "--graph",
    "graph_url",
    default=None,
    help="A graph URL (default: a fresh embedded graph in a temporary directory).",
)
def main(out: Path, graph_url: str | None) -> None:
    """Regenerate the console's screenshots on the demo city."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="citykg-shots-") as scratch:
        settings = build_settings(graph_url or f"falkordb://{scratch}/graph")
        with opened_store(settings) as store:
            prepare_demo(store, settings=settings)
            users = ("worker", "resident", "builder", *TASK_USERS, *loop_principals(store))
            passwords = {user: secrets.token_urlsafe(12) for user in users}
            for user, password in passwords.items():
                set_password(store, principal_id=user, password=password)
            with served(create_app(settings, store=store)) as url, chromium() as browser:
                for path in shoot(browser, url, out, passwords):
                    click.echo(path)


if __name__ == "__main__":
    main()
