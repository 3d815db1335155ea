"""An agent's shift in a real browser: queue, screen-pop, case during the call, dispatch, call-back."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from intake.services import IntakeServices
from tests.intake.conftest import run_jobs

pytestmark = pytest.mark.browser

# Screenshots of the main screens: into docs/ when HOTLINE_SCREENSHOTS=1 (to refresh the
# README's pictures), otherwise into a scratch directory so a test run changes no tracked file.
DOCS = (Path(__file__).resolve().parents[2] / "docs" if os.environ.get("HOTLINE_SCREENSHOTS")
        else Path(tempfile.mkdtemp(prefix="hotline-screens-")))
CALLER = "13987654321"
WAIT_MS = 15_000


def sign_in(browser: Browser, base: str, credentials: dict[str, Any], role: str) -> Page:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    user = credentials["users"][role]
    page.goto(f"{base}/console/login")
    page.fill('input[name="username"]', user["username"])
    page.fill('input[name="password"]', user["password"])
    page.click('button[type="submit"]')
    page.wait_for_url(re.compile(r"/console/queue$"))
    return page


def live(page: Page) -> None:
    """The page's websocket is subscribed: nothing published from now on is missed."""
    expect(page.locator("body")).to_have_attribute("data-live", "ready")


def post(base: str, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx2.post(f"{base}{path}", json=body, headers=headers)
    assert response.status_code in (200, 202), response.text
    answer: dict[str, Any] = response.json()
    return answer


def case_of(base: str, credentials: dict[str, Any], intake_id: str) -> int:
    state = httpx2.get(f"{base}/api/v1/intakes/{intake_id}",
                      headers={"Authorization": f"Bearer {credentials['call']['api_key']}"}).json()
    assert state["case_id"], state
    return int(state["case_id"])


def act(page: Page, action: str, **fields: str) -> None:
    """Open an action on the case page, fill it in and confirm."""
    form = page.locator(f'details[data-action="{action}"]')
    form.locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.first.get_attribute("type") == "radio":
            form.locator(f'input[name="{name}"][value="{value}"]').check()
        else:
            field.fill(value)
    form.locator('button[type="submit"]').click()


def test_an_agents_shift(browser: Browser, server: str, services: IntakeServices,
                         credentials: dict[str, Any]) -> None:
    DOCS.mkdir(exist_ok=True)
    call_key = credentials["call"]["api_key"]
    # An earlier call from the same phone, so the screen-pop has history to show.
    earlier = post(server, "/api/v1/intake/call", {
        "call_id": "old-1", "caller_number": CALLER,
        "text": "我父亲住在白石镇白石村，腿脚不好，家里没有收入，想问能不能申请低保。",
        "person": {"name": "杨老四", "address": "白石镇白石村3组"},
        "caller": {"name": "杨小梅", "relation": "女儿"}}, call_key)
    run_jobs(services)
    earlier_case = case_of(server, credentials, earlier["intake_id"])

    agent = sign_in(browser, server, credentials, "agent")
    live(agent)
    agent.evaluate("window.__sameDocument = true")

    # A grassroots worker's referral appears in the queue without a reload.
    worker = post(server, "/api/v1/auth/token", credentials["referral"])
    referral = post(server, "/api/v1/intake/referral", {
        "text": "本村独居老人李有福已经三天没吃饭了，家里一粒米都没有，腿也摔伤了起不来床。",
        "village_code": "530329201202", "person": {"name": "李有福", "tags": ["独居", "高龄"]},
    }, worker["token"])
    run_jobs(services)
    referred = case_of(server, credentials, referral["intake_id"])
    expect(agent.locator(f'tr[data-case-id="{referred}"]')).to_be_visible()
    assert agent.evaluate("window.__sameDocument") is True
    # It is critical (断炊): a red banner that stays until acknowledged, and an alarm sound.
    expect(agent.locator("#critical-banner")).to_be_visible()
    expect(agent.locator("body")).to_have_attribute("data-alarms", re.compile(r"[1-9]"))
    agent.screenshot(path=str(DOCS / "screenshot-queue.png"))
    agent.click("#critical-ack")
    expect(agent.locator("#critical-banner")).to_be_hidden()

    # The phone rings: the agent's screen pops the caller's number, place and history.
    post(server, "/api/v1/calls/events", {"event": "ringing", "call_id": "cti-7",
                                          "caller_number": CALLER, "agent": "agent"}, call_key)
    pop = agent.locator("#call-pop")
    expect(pop).to_be_visible()
    expect(pop.locator(".call-number")).to_have_text(CALLER)
    expect(pop.locator(".call-area")).to_contain_text("云南")
    expect(pop.locator(f'a[href="/console/cases/{earlier_case}"]')).to_be_visible()
    post(server, "/api/v1/calls/events", {"event": "answered", "call_id": "cti-7",
                                          "caller_number": CALLER, "agent": "agent"}, call_key)
    expect(pop.locator(".call-state")).to_have_text("通话中")
    agent.screenshot(path=str(DOCS / "screenshot-call.png"))

    # The case is written during the call; the suggestion follows the typing.
    pop.locator("#call-new-case").click()
    agent.wait_for_url(re.compile(r"/console/cases/new\?call_id=cti-7"))
    expect(agent.locator('input[name="caller_number"]')).to_have_value(CALLER)
    agent.locator("#text").press_sequentially(
        "我父亲杨老四住在白石镇白石村，瘫痪在床没有收入，上次问过低保，今天想正式申请。", delay=5)
    expect(agent.locator("#s-township")).to_have_text("白石镇")
    expect(agent.locator("#s-needs")).to_contain_text("最低生活保障")
    suggested_lead = agent.locator("#lead_department").input_value()
    assert suggested_lead
    # The agent corrects it: the father is also a case for 特困/残疾 support, not only 低保.
    extra = next(code for code in ("tekun", "canji", "laonian") if not agent.is_checked(
        f'input[name="categories"][value="{code}"]'))
    agent.check(f'input[name="categories"][value="{extra}"]')
    expect(agent.locator("#correction-note")).to_contain_text("诉求类别")
    agent.fill('input[name="person_name"]', "杨老四")
    agent.fill('input[name="caller_relation"]', "女儿")
    agent.screenshot(path=str(DOCS / "screenshot-new-case.png"), full_page=True)
    agent.click("#submit")
    agent.wait_for_url(re.compile(r"/console/intakes/"))
    live(agent)
    run_jobs(services)
    agent.wait_for_url(re.compile(r"/console/cases/\d+$"))
    case_id = int(agent.url.rsplit("/", 1)[1])
    expect(agent.locator("#case-notice")).to_be_visible()
    expect(agent.locator("#case-state")).to_have_text("已派单")
    expect(agent.locator("#timeline")).to_contain_text("受理登记")

    # The township handler accepts; resolving before the lead department replied is refused.
    township = sign_in(browser, server, credentials, "township")
    expect(township.locator(f'tr[data-case-id="{case_id}"]')).to_be_visible()
    township.goto(f"{server}/console/cases/{case_id}")
    live(township)
    act(township, "accept")
    expect(township.locator("#case-state")).to_have_text("已签收")
    act(township, "first_contact", note="已电话联系杨小梅，约定明日入户")
    expect(township.locator("#case-state")).to_have_text("办理中")
    act(township, "resolve", note="已受理低保申请")
    expect(township.locator("#action-error")).to_contain_text("主办部门尚未答复")

    department = sign_in(browser, server, credentials, "department")
    department.goto(f"{server}/console/cases/{case_id}")
    live(department)
    act(department, "accept")
    expect(department.locator('[data-department="mz_jz"] [data-assignment-state]')).to_have_attribute(
        "data-assignment-state", "accepted")
    act(department, "reply", note="经入户核查，符合单人户纳入低保条件，已纳入")
    expect(department.locator('[data-department="mz_jz"] [data-assignment-state]')).to_have_attribute(
        "data-assignment-state", "replied")
    # 一门受理、协同办理: every assisting department replies too (here the admin, for each).
    assisting = department.eval_on_selector_all(
        "[data-department]", "nodes => nodes.map(n => n.dataset.department)")
    admin = sign_in(browser, server, credentials, "admin")
    for code in (d for d in assisting if d != "mz_jz"):
        for action, body in (("accept", {"department": code}),
                             ("reply", {"department": code, "note": "已配合核查，无异议"})):
            status = admin.evaluate(
                "([url, body]) => window.hotlineLive.send(url, 'POST', body).then(a => a.status)",
                [f"/console/api/cases/{case_id}/actions/{action}", body])
            assert status == 200, (action, code, status)
    township.reload()
    township.screenshot(path=str(DOCS / "screenshot-case.png"), full_page=True)
    act(township, "resolve", note="已纳入低保，每月按时发放")
    expect(township.locator("#case-state")).to_have_text("已办结")

    # The agent calls back: the case page updated live; 满意 closes it.
    expect(agent.locator("#case-state")).to_have_text("已办结")
    act(agent, "follow_up", satisfaction="满意", note="回访来电人，对办理结果满意")
    expect(agent.locator("#case-state")).to_have_text("已归档")
    expect(agent.locator("#timeline")).to_contain_text("回访")
    expect(agent.locator("#timeline")).to_contain_text("满意")
