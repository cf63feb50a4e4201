"""The task pages in headless Chromium, on the small test city: the street head creates a task
over the street and dispatches it in one click; a community worker starts an item that reached
their post and fills it in through the task's form, prefilled; a refused task is shown at its
field with nothing written; residents are kept out. Every wait is a Playwright expectation."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from citykg.access.tokens import set_password
from tests.ledgers.city import C1, STREET
from tests.web.conftest import RESIDENT_PASSWORD, WORKER_PASSWORD, Site
from tests.web.test_console import sign_in

HEAD_PASSWORD = "head-secret-1"
TASKS = "MATCH (t:Task) RETURN count(t) AS n"


@pytest.fixture(scope="module")
def head(site: Site) -> Site:
    set_password(site.city.store, principal_id="head", password=HEAD_PASSWORD)
    return site


def test_a_task_is_created_dispatched_and_filled_in_by_the_post_it_reached(
    desk: Page, head: Site
) -> None:
    sign_in(desk, head, "head", HEAD_PASSWORD)
    desk.goto(head.url + "/console/tasks")
    desk.get_by_role("link", name="新建任务").click()
    expect(desk.get_by_label("任务范围")).to_have_value(STREET)
    desk.get_by_label("标题（中文）").fill("入户走访登记")
    desk.get_by_label("表单").select_option("household-registration")
    desk.get_by_label("事项").select_option("entity")  # one per person living there
    desk.get_by_role("button", name="创建任务").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("入户走访登记")
    expect(desk.locator("#levels")).to_contain_text("尚未下派")
    desk.get_by_role("button", name="一键下派").click()
    expect(desk.get_by_role("status")).to_contain_text("已下派")
    expect(desk.locator("#levels tbody tr")).not_to_have_count(1)  # rows per level now
    expect(desk.get_by_role("button", name="一键下派")).to_have_count(0)
    desk.goto(head.url + "/console/tasks")  # the task is listed, and opens its page
    desk.locator("#followed").get_by_role("link", name="入户走访登记").first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("入户走访登记")

    desk.get_by_role("button", name="退出").click()
    sign_in(desk, head, "worker1", WORKER_PASSWORD)  # C1's worker: the community's item
    desk.goto(head.url + "/console/tasks")
    followed = desk.locator("#followed tbody tr", has_text="入户走访登记").first
    expect(followed.locator(".status")).to_have_text("已下派")  # it reached C1
    expect(desk.locator("#items")).to_contain_text("王伟")  # whom each item is about
    row = desk.locator("#items tbody tr", has_text="入户走访登记").first
    expect(row.locator(".state")).to_have_text("待办")
    row.get_by_role("button", name="开始办理").click()
    expect(desk.get_by_role("status")).to_have_text("已处理。")
    started = desk.locator("#items tbody tr", has_text="办理中").first
    started.get_by_role("link", name="填报").click()  # the form, prefilled for the person
    expect(desk.locator("#f-name")).not_to_have_value("")  # what the city knows, filled in
    desk.get_by_label("手机号码").fill("13987650000")
    desk.get_by_role("button", name="提交").click()
    expect(desk.get_by_role("status")).to_have_text("已保存。")
    expect(desk.locator("#items tbody tr", has_text="已提交")).to_have_count(1)


RETURNED = "MATCH (i:TaskItem {task: $task}) WHERE i.state = 'returned' RETURN count(i) AS n"
UNDER = "MATCH (i:TaskItem {task: $task}) WHERE i.place STARTS WITH $code RETURN count(i) AS n"


def done(selected: int, moved: int, refused: int) -> str:
    """The status a batch return shows (none of these batches meets a conflict)."""
    return (f"批量「退回（无效）」：选中 {selected} 项，已处理 {moved} 项，0 项已被他人处理，"
            f"{refused} 项无权处理。")  # fmt: skip


def test_the_head_previews_a_dispatch_and_a_batch_return_reaches_them_with_its_reason(
    desk: Page, head: Site
) -> None:
    sign_in(desk, head, "head", HEAD_PASSWORD)
    desk.goto(head.url + "/console/tasks/new")
    desk.get_by_label("标题（中文）").fill("核查流动人口")
    desk.get_by_label("表单").select_option("household-registration")
    desk.get_by_label("事项").select_option("entity")
    desk.get_by_role("button", name="创建任务").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("核查流动人口")
    task_id = desk.url.rsplit("/", 1)[1]
    preview = desk.locator("#dispatch-preview")  # loaded beside the button, nothing written
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview.locator("tbody tr").first).to_contain_text("街道")
    expect(preview.locator("tbody tr").last).to_contain_text("社区")
    expect(preview.locator("tbody tr").last.locator("td").last).to_have_text("2")
    makes = preview.locator(".makes")
    expect(makes).to_contain_text("将创建 3 个任务单元")
    items = makes.get_attribute("data-items") or ""
    assert int(items) > 0 and head.city.store.read(UNDER, {"task": task_id, "code": ""}) == [
        {"n": 0}
    ]
    desk.get_by_role("button", name="一键下派").click()
    expect(desk.get_by_role("status")).to_have_text(f"已下派：3 个单元，{items} 个事项。")
    expect(desk.locator("#dispatch-preview")).to_have_count(0)

    in_c1 = head.city.store.read(UNDER, {"task": task_id, "code": C1})[0]["n"]
    assert in_c1 > 0
    batch = desk.locator("#batch")  # the head is the level above: returning is the post's
    batch.get_by_label("操作").select_option("return_invalid")
    batch.get_by_label("地点范围").select_option(C1)
    batch.get_by_label("退回原因（退回无效时必选）").select_option("wrong_address")
    batch.get_by_role("button", name="批量处理所选事项").click()
    expect(desk.get_by_role("status")).to_have_text(done(in_c1, 0, in_c1))
    expect(desk.locator("#returned tbody")).to_contain_text("没有记录")

    desk.get_by_role("button", name="退出").click()
    sign_in(desk, head, "worker1", WORKER_PASSWORD)  # C1's post: its items are theirs
    desk.goto(head.url + f"/console/tasks/{task_id}")
    batch = desk.locator("#batch")
    batch.get_by_label("操作").select_option("return_invalid")
    batch.get_by_label("待办", exact=True).check()
    batch.get_by_role("button", name="批量处理所选事项").click()  # no reason code
    reason = desk.locator("#batch .field", has=desk.get_by_label("退回原因（退回无效时必选）"))
    expect(reason.get_by_role("alert")).to_contain_text("须选择退回原因")
    expect(desk.locator("#batch").get_by_label("待办", exact=True)).to_be_checked()  # kept
    assert head.city.store.read(RETURNED, {"task": task_id}) == [{"n": 0}]
    reason.get_by_label("退回原因（退回无效时必选）").select_option("moved_away")
    desk.locator("#batch").get_by_role("button", name="批量处理所选事项").click()
    expect(desk.get_by_role("status")).to_have_text(done(in_c1, in_c1, 0))
    expect(desk.locator("#returned")).to_have_count(0)  # the level above's inbox, not theirs

    desk.get_by_role("button", name="退出").click()
    sign_in(desk, head, "head", HEAD_PASSWORD)
    desk.goto(head.url + f"/console/tasks/{task_id}")
    returned = desk.locator("#returned")
    expect(returned.locator("tbody tr")).to_have_count(in_c1)
    expect(returned.locator(".reasons")).to_have_text(f"已迁出 {in_c1}")
    expect(returned.locator("td.reason").first).to_have_text("已迁出")


def test_a_refused_task_is_shown_at_its_field_and_nothing_is_written(
    desk: Page, head: Site
) -> None:
    before = head.city.store.read(TASKS)[0]["n"]
    sign_in(desk, head, "head", HEAD_PASSWORD)
    desk.goto(head.url + "/console/tasks/new")
    desk.get_by_label("表单").select_option("household-registration")
    desk.get_by_role("button", name="创建任务").click()  # no title
    field = desk.locator(".field", has=desk.get_by_label("标题（中文）"))
    expect(field.get_by_role("alert")).to_have_text("必填")
    desk.get_by_label("标题（中文）").fill("越界任务")
    desk.get_by_label("任务范围").fill("110106")  # another district
    desk.get_by_role("button", name="创建任务").click()
    scope = desk.locator(".field", has=desk.get_by_label("任务范围"))
    expect(scope.get_by_role("alert")).to_have_text("超出您的管辖范围")
    assert head.city.store.read(TASKS)[0]["n"] == before


def test_residents_cannot_open_the_task_pages(phone: Page, head: Site) -> None:
    sign_in(phone, head, "resident", RESIDENT_PASSWORD)
    for path in ("/console/tasks", "/console/tasks/new"):
        answer = phone.goto(head.url + path)
        assert answer is not None and answer.status == 403


ODD = ("\x00", "x" * 5000, "<script>alert(1)</script>", "２０２６-13-45", "")


def test_odd_input_to_the_task_pages_never_answers_500(desk: Page, head: Site) -> None:
    sign_in(desk, head, "head", HEAD_PASSWORD)
    desk.goto(head.url + "/console/tasks/new")
    csrf = desk.locator("input[name=csrf]").first.get_attribute("value") or ""
    for odd in ODD:
        fields = dict.fromkeys(("title_zh", "form", "scope", "items", "filters", "deadline"), odd)
        posts = {
            "/console/tasks": {**fields, "levels": odd},
            f"/console/tasks/{odd or 'none'}/dispatch": {},
            f"/console/tasks/items/{odd or 'none'}/act": {"event": odd, "reason": odd},
            f"/console/tasks/{odd or 'none'}/batch": {
                "event": odd,
                "states": odd,
                "within": odd,
                "reason": odd,
                "reason_code": odd,
            },
        }
        for path, form in posts.items():
            answer = desk.request.post(head.url + path, form={"csrf": csrf, **form})
            assert answer.status < 500, (path, odd[:20], answer.status)
        for path in (
            f"/console/tasks?before={quote(odd)}",
            f"/console/tasks/{odd or 'none'}",
            f"/console/tasks/{odd or 'none'}/levels",
            f"/console/tasks/{odd or 'none'}/dispatch/preview",
        ):
            answer = desk.request.get(head.url + path)
            assert answer.status < 500, (path, odd[:20], answer.status)
