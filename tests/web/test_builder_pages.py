"""The form builder in headless Chromium, on the small test city: a builder makes a two-entity
form from ontology terms (a person, their address, a repeat group of family members), sees the
error of a relation bound to the wrong class at its field and fixes it, publishes; a resident
then fills the form and the graph holds the standard facts with their provenance. An XLSForm
opens, is edited and re-published; a YAML form opened and exported is the same form; officials
without ``form.build`` are kept out. Every wait is a Playwright expectation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from citykg.access import save_principal
from citykg.access.tokens import set_password
from citykg.controls import EXAMPLES_DIR
from tests.ledgers.city import WANG, WORKER1
from tests.web.conftest import RESIDENT_PASSWORD, WORKER_PASSWORD, Site
from tests.web.test_console import sign_in

BUILDER_PASSWORD = "builder-secret-1"
PROVENANCE = (
    "MATCH (p:Person {idNumber: $person})-[:ASSERTED_BY]->(s:Submission {form: $form}) "
    "RETURN p.mobilePhone AS phone, s.author AS author"
)


@pytest.fixture(scope="module")
def builder(site: Site) -> Site:
    store = site.city.store
    save_principal(store, id="builder", kind="builder", name="表单搭建员", roles=["builder"])
    set_password(store, principal_id="builder", password=BUILDER_PASSWORD)
    return site


def add(page: Page, query: str, term: str, cards: int = 1) -> None:
    """Find ``term`` by typing ``query`` and add it (to the form, or the group chosen): it
    brings ``cards`` cards (a relation brings its target's identity key too)."""
    fields = page.locator(".field-card").count()
    page.get_by_role("searchbox").fill(query)
    page.locator("#hits button", has_text=term).first.click()
    expect(page.locator(".field-card")).to_have_count(fields + cards)


def test_a_builder_makes_a_two_entity_form_and_a_resident_fills_it(
    browser_pages: tuple[Page, Page], builder: Site
) -> None:
    phone, desk = browser_pages
    sign_in(desk, builder, "builder", BUILDER_PASSWORD)
    desk.goto(builder.url + "/console/forms")
    desk.get_by_role("link", name="搭建新表单").click()
    desk.get_by_label("新建表单，主体：").select_option("Resident")
    desk.get_by_role("button", name="开始").click()
    desk.get_by_label("表单编号").fill("family-contact")
    desk.get_by_label("标题（中文）").fill("家庭联系登记")
    desk.get_by_role("button", name="浏览本类全部术语").click()  # or browse the class's terms
    expect(desk.locator("#hits")).to_contain_text("householdHeadOf")
    add(desk, "身份证", "idNumber")  # found by its synonym
    add(desk, "姓名", "personName")
    add(desk, "手机", "personMobilePhone")
    add(desk, "住址", "residesIn")  # a relation to a place: an address field
    add(desk, "户主", "householdHeadOf", cards=2)  # a relation, and the related person's key
    members = desk.locator("#card-4")
    expect(members.locator("#card-4\\.0")).to_contain_text("idNumber")
    members.get_by_role("button", name="改为多条（重复组）").click()
    desk.get_by_label("添加到").select_option(label="household_head_of")
    add(desk, "姓名", "personName")
    expect(desk.locator("#card-4\\.1")).to_contain_text("personName")

    target = desk.locator("#card-4").get_by_label("关联实体类")
    target.fill("Vehicle")
    expect(desk.locator("#err-4")).to_contain_text("不能连接")  # at the field, as it is typed
    expect(desk.locator("#preview")).to_contain_text("修正问题后显示预览")
    target.fill("Person")
    expect(desk.locator("#err-4")).to_be_empty()
    expect(desk.locator("#preview").get_by_label("手机号码")).to_be_visible()
    expect(desk.locator("#written")).to_contain_text("人口登记")  # who else writes these terms

    desk.get_by_role("button", name="发布").click()
    expect(desk).to_have_url(re.compile(r"/console/forms"))
    expect(desk.get_by_role("status")).to_have_text("表单已发布为新版本。")
    expect(desk.locator("#family-contact")).to_contain_text("家庭联系登记")

    sign_in(phone, builder, "resident", RESIDENT_PASSWORD)
    phone.get_by_role("link", name="家庭联系登记").click()
    phone.get_by_label("手机号码").fill("13700001111")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status")).to_be_visible()
    rows = builder.city.store.read(PROVENANCE, {"person": WANG, "form": "family-contact"})
    assert rows == [{"phone": "13700001111", "author": "resident"}]


def test_fields_move_by_dragging_and_by_keyboard_and_the_preview_prefills_a_sample(
    desk: Page, builder: Site
) -> None:
    store = builder.city.store  # community worker 1, who also builds forms: sees Wang
    save_principal(store, id="worker-builder", kind="official", name="社区表单员",
                   person=WORKER1, roles=["builder"])  # fmt: skip
    set_password(store, principal_id="worker-builder", password=BUILDER_PASSWORD)
    sign_in(desk, builder, "worker-builder", BUILDER_PASSWORD)
    desk.goto(builder.url + "/console/builder?form=epidemic-screening")
    first, second = desk.locator("#card-0"), desk.locator("#card-1")
    name = second.locator(".key").inner_text()
    second.locator(".grip").drag_to(first)
    expect(first.locator(".key")).to_have_text(name)  # dropped before the first card

    first.get_by_role("button", name=re.compile("^下移")).press("Enter")
    expect(second.locator(".key")).to_have_text(name)
    expect(second.get_by_role("button", name=re.compile("^上移"))).to_be_focused()

    desk.get_by_label(re.compile("示例对象")).fill(WANG)
    expect(desk.locator("#preview").get_by_label("姓名")).to_have_value("王伟")
    desk.get_by_role("button", name="手机 375 px").click()
    box = desk.locator("#preview").bounding_box()
    assert box is not None and box["width"] <= 375


def test_an_xlsform_opens_is_edited_and_republished(desk: Page, builder: Site) -> None:
    sign_in(desk, builder, "builder", BUILDER_PASSWORD)
    desk.goto(builder.url + "/console/builder")
    workbook = EXAMPLES_DIR / "dog-registration.xlsx"
    desk.get_by_label(re.compile("打开文件")).set_input_files(workbook)
    desk.get_by_role("button", name="打开", exact=True).click()
    expect(desk.get_by_label("表单编号")).to_have_value("dog-registration")
    title = desk.get_by_label("标题（中文）")
    title.fill(title.input_value() + "（2027 版）")
    expect(desk.locator("#err-form")).to_be_empty()
    desk.get_by_role("button", name="发布").click()
    expect(desk.get_by_role("status")).to_have_text("表单已发布为新版本。")
    expect(desk.locator("#dog-registration")).to_contain_text("（2027 版）")
    expect(desk.locator("#dog-registration")).to_contain_text("v2")


def test_a_yaml_form_opened_and_exported_is_the_same_form(
    desk: Page, builder: Site, tmp_path: Path
) -> None:
    source = EXAMPLES_DIR / "household-registration.yaml"
    sign_in(desk, builder, "builder", BUILDER_PASSWORD)
    desk.goto(builder.url + "/console/builder")
    desk.get_by_label(re.compile("打开文件")).set_input_files(source)
    desk.get_by_role("button", name="打开", exact=True).click()
    expect(desk.locator(".field-card").first).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("button", name="导出 YAML").click()
    exported = tmp_path / "exported.yaml"
    download.value.save_as(exported)
    assert yaml.safe_load(exported.read_text()) == yaml.safe_load(source.read_text())


def test_officials_without_form_build_are_kept_out(desk: Page, builder: Site) -> None:
    sign_in(desk, builder, "worker1", WORKER_PASSWORD)
    desk.goto(builder.url + "/console/forms")
    expect(desk.get_by_role("link", name="搭建新表单")).to_have_count(0)
    desk.goto(builder.url + "/console/builder?subject=Resident")
    expect(desk.get_by_role("heading", level=1)).not_to_have_text("表单搭建")
    expect(desk.locator("#builder")).to_have_count(0)


ODD_POSTS = [
    {"definition": "{", "action": "publish"},
    {"definition": "[1, 2]", "action": "add:attribute:idNumber"},
    {"definition": "[" * 5000 + "]" * 5000},
    {"definition": '{"id": "x", "fields": 5}', "action": "add:attribute:gender"},
    {"definition": '{"id": "x", "subject": "Resident", "fields": [1, {"name": "a"}]}',
     "action": "move:1>²", "p:1:min_count": "9" * 5000, "p:1:default": "1e400"},
    {"definition": '{"id": "\\ud800", "subject": "Resident", "fields": []}',
     "action": "relocate:0", "p::title.zh": "\x00", "into": "9.9.9"},
    {"definition": '{"subject": "Resident", "fields": [{"name": "g", "kind": "relation"}]}',
     "action": "kind:0:choice", "sample": "ref_AAAA"},
    {"definition": '{"subject": "Resident", "fields": [{"name": "a", "default": NaN}]}',
     "action": "add:class:Resident"},
]  # fmt: skip


@pytest.mark.parametrize("posted", ODD_POSTS)
def test_odd_builder_posts_get_an_answer_never_a_500(
    desk: Page, builder: Site, posted: dict[str, str]
) -> None:
    sign_in(desk, builder, "builder", BUILDER_PASSWORD)
    token = desk.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    for path in ("/console/builder", "/console/builder/check", "/console/builder/yaml"):
        answer = desk.request.post(builder.url + path, form={"csrf": token, **posted})
        assert answer.status < 500, (path, answer.status, answer.text()[:300])
