"""Chinese first, English on request: ``?lang=en`` switches and is remembered in a cookie.

Only the console's own words live here; what the platform already says in both languages
(ontology labels, code lists, form titles, validation messages, review reasons) is shown as it
comes, in the page language.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from fastapi import Request

Lang = Literal["zh", "en"]
COOKIE = "citykg_lang"

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("城市知识图谱", "City knowledge graph"),
    "console": ("政务工作台", "Official console"),
    "resident_app": ("居民服务", "Resident services"),
    "home": ("首页", "Home"),
    "places": ("地点", "Places"),
    "ledgers": ("台账", "Ledgers"),
    "forms": ("表单", "Forms"),
    "reviews": ("待审核", "Reviews"),
    "tasks": ("我的任务", "My tasks"),
    "channels": ("服务渠道", "Channels"),
    "notifications": ("通知", "Notifications"),
    "events": ("事件", "Events"),
    "services": ("服务", "Services"),
    "requests": ("我的申请", "My requests"),
    "messages": ("消息", "Messages"),
    "my": ("我的", "Me"),
    "coming": ("即将上线", "Coming soon"),
    "coming_text": (
        "此功能正在建设中，上线后将显示在这里。",
        "This area is being built and will show here once it is ready.",
    ),
    "sign_in": ("登录", "Sign in"),
    "sign_in_lead": (
        "请使用管理员设置的用户名和密码，或 API 令牌登录。",
        "Sign in with the username and password an administrator set, or an API token.",
    ),
    "sign_out": ("退出", "Sign out"),
    "token": ("API 令牌", "API token"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "or": ("或", "or"),
    "bad_sign_in": ("令牌或用户名、密码不正确", "Wrong token, or wrong username or password"),
    "bad_csrf": ("页面已过期，请刷新后重试。", "The page has expired: reload it and try again."),
    "alerts": ("待办提醒", "Alerts"),
    "pending_reviews": ("待审核事项", "Pending reviews"),
    "open_items": ("我的待办任务", "My open task items"),
    "unanswered_requests": ("未答复的居民诉求", "Unanswered requests"),
    "events_due": ("临近期限的事件", "Events near their deadline"),
    "unread": ("未读通知", "Unread notifications"),
    "jurisdiction": ("辖区概况", "Jurisdiction at a glance"),
    "no_jurisdiction": ("您当前没有管辖范围。", "You hold no jurisdiction now."),
    "persons": ("人", "Persons"),
    "organizations": ("组织", "Organizations"),
    "things": ("物", "Things"),
    "residents_by": ("各下级地点居民数", "Residents by place one level down"),
    "search": ("搜索", "Search"),
    "search_hint": ("名称或地址", "Name or address"),
    "filter": ("筛选", "Filter"),
    "filter_hint": (
        "属性:运算:值，如 gender:eq:2、age:gte:60",
        "key:op:value, e.g. gender:eq:2, age:gte:60",
    ),
    "within": ("地点编码", "Place code"),
    "export": ("导出", "Export"),
    "name": ("名称", "Name"),
    "key": ("标识", "Key"),
    "class": ("类别", "Class"),
    "address": ("地址", "Address"),
    "more": ("加载更多", "Load more"),
    "none": ("没有记录", "Nothing found"),
    "properties": ("属性", "Properties"),
    "relations": ("关系", "Relations"),
    "outside": ("不在您的管辖范围内", "Outside your jurisdiction"),
    "ended": ("已结束", "ended"),
    "edit_with": ("通过表单修改", "Edit through a form"),
    "not_found": ("未找到", "Not found"),
    "not_found_text": ("没有这条记录，或您无权查看。", "It does not exist, or you may not see it."),
    "forbidden": ("无权访问", "Not allowed"),
    "forbidden_text": ("您的岗位没有这项权限。", "Your post does not give you this right."),
    "bad_request": ("请求有误", "Bad request"),
    "form": ("表单", "Form"),
    "subject": ("对象", "Subject"),
    "reason": ("原因", "Reason"),
    "author": ("提交人", "Author"),
    "status": ("状态", "Status"),
    "submitted_at": ("提交时间", "Submitted"),
    "pending": ("待审核", "Pending"),
    "confirmed": ("已确认", "Confirmed"),
    "declined": ("已退回", "Declined"),
    "confirm": ("确认", "Confirm"),
    "decline": ("退回", "Decline"),
    "note": ("说明（退回时必填）", "Note (required to decline)"),
    "task": ("任务", "Task"),
    "place": ("地点", "Place"),
    "state": ("状态", "State"),
    "due": ("截止", "Due"),
    "progress": ("进度", "Progress"),
    "level": ("层级", "Level"),
    "units": ("单位数", "Units"),
    "reported": ("已上报", "Reported"),
    "expected": ("应完成", "Expected"),
    "done": ("已完成", "Done"),
    "on_time": ("按时", "On time"),
    "overdue": ("逾期", "Overdue"),
    "returned": ("退回", "Returned"),
    "completion": ("完成率", "Completion"),
    "count": ("数量", "Count"),
    "children": ("下级地点", "Places below"),
    "responsible": ("负责单位", "Responsible"),
    "responsible_chain": ("上级管辖", "Jurisdiction above"),
    "code": ("编码", "Code"),
    "open_ledger": ("查看台账", "Open the ledger"),
    "me": ("本人信息", "About me"),
    "household": ("我和家人", "Me and my household"),
    "fill": ("填写", "Fill in"),
    "fill_for_me": ("为本人填写", "Fill in for me"),
    "new_entry": ("新登记", "New entry"),
    "submit": ("提交", "Submit"),
    "add_row": ("添加一项", "Add a row"),
    "remove_row": ("删除", "Remove"),
    "masked_note": (
        "敏感信息已脱敏：留空则保持不变",
        "Sensitive, shown masked: left blank, it is kept",
    ),
    "masked_again": (
        "敏感信息已脱敏：此项必填，请重新填写",
        "Sensitive, shown masked: required, enter it again",
    ),
    "computed": ("自动计算", "Calculated"),
    "prefilled_from": ("来自", "from"),
    "current_address": ("当前地址", "Current address"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "choose": ("请选择", "Choose"),
    "errors_above": ("提交未成功，请修改标出的项目。", "Not submitted: correct the fields marked."),
    "saved": ("已保存。", "Saved."),
    "held": ("已提交，等待社区工作人员审核。", "Sent: it waits for an official's confirmation."),
    "decided": ("已处理。", "Done."),
    "report": ("随手拍", "Report a problem"),
    "services_lead": (
        "您所在社区提供的服务，已知信息会自动填好。",
        "Services offered where you live; what the city knows is filled in.",
    ),
    "level_1": ("省", "Province"),
    "level_2": ("市", "City"),
    "level_3": ("区", "District"),
    "level_4": ("街道", "Street"),
    "level_5": ("社区", "Community"),
    "level_6": ("小区", "Compound"),
    "level_7": ("楼栋", "Building"),
    "level_8": ("单元", "Unit"),
    "level_9": ("门牌", "Door"),
    "other_lang": ("English", "中文"),
    "skip": ("跳到正文", "Skip to content"),
}


def language(request: Request) -> Lang:
    """The page language: the ``lang`` query parameter, else the cookie, else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return "en" if asked == "en" else "zh"


@cache
def texts(lang: Lang) -> dict[str, str]:
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in TEXTS.items()}
