"""``python -m citykg.web.screenshots``: the README's screenshots, on the demo city.

A fresh demo city (the one ``citykg demo`` serves) is made in a temporary graph (or ``--graph``),
served locally, and its main pages are shot in Debian's headless Chromium: the console on the
desktop (1280 px) as the demo community worker, the resident page on a phone (375 px) as the
demo resident, and a few pages at both sizes.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import click
from playwright.sync_api import Browser, Page, ViewportSize, expect

from citykg.access.tokens import set_password
from citykg.api.app import create_app
from citykg.cli.options import build_settings, opened_store
from citykg.demo import prepare_demo
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

    return made


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
            passwords = {user: secrets.token_urlsafe(12) for user in ("worker", "resident")}
            for user, password in passwords.items():
                set_password(store, principal_id=user, password=password)
            with served(create_app(settings, store=store)) as url, chromium() as browser:
                for path in shoot(browser, url, out, passwords):
                    click.echo(path)


if __name__ == "__main__":
    main()
