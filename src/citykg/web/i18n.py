"""Chinese first, English on request: ``?lang=en`` switches and is remembered in a cookie."""

from __future__ import annotations

from typing import Literal

from fastapi import Request

Lang = Literal["zh", "en"]
COOKIE = "citykg_lang"

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("城市知识图谱", "City knowledge graph"),
    "home": ("首页", "Home"),
    "persons": ("人员台账", "Persons"),
    "reviews": ("待审核", "Reviews"),
    "tasks": ("我的任务", "My tasks"),
    "my": ("我的", "Me"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("API 令牌", "API token"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "or": ("或", "or"),
    "bad_sign_in": ("令牌或用户名、密码不正确", "Wrong token, or wrong username or password"),
    "pending_reviews": ("待审核事项", "Pending reviews"),
    "open_items": ("我的待办任务", "My open task items"),
    "search": ("搜索", "Search"),
    "search_hint": ("姓名或地址", "Name or address"),
    "name": ("姓名", "Name"),
    "key": ("证件号码", "ID number"),
    "address": ("地址", "Address"),
    "more": ("下一页", "Next page"),
    "none": ("没有记录", "Nothing found"),
    "properties": ("属性", "Properties"),
    "relations": ("关系", "Relations"),
    "outside": ("不在您的管辖范围内", "Outside your jurisdiction"),
    "not_found": ("未找到", "Not found"),
    "not_found_text": ("没有这条记录，或您无权查看。", "It does not exist, or you may not see it."),
    "forbidden": ("无权访问", "Not allowed"),
    "form": ("表单", "Form"),
    "subject": ("对象", "Subject"),
    "reason": ("原因", "Reason"),
    "status": ("状态", "Status"),
    "submitted_at": ("提交时间", "Submitted"),
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
    "me": ("本人", "Me"),
    "household": ("我的家庭", "My household"),
    "requests": ("我的申请", "My requests"),
    "other_lang": ("English", "中文"),
}


def language(request: Request) -> Lang:
    """The page language: the ``lang`` query parameter, else the cookie, else Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return "en" if asked == "en" else "zh"


def texts(lang: Lang) -> dict[str, str]:
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in TEXTS.items()}
