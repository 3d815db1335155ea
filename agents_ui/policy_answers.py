"""Policy answers: searched by agents during a call, edited by admins at /console/answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from agents_ui.app import deps_of
from agents_ui.auth import current_user, requires
from agents_ui.templating import render
from cases.policy_answers import (
    InvalidAnswer,
    PolicyAnswer,
    answer_view,
    delete_answer,
    save_answer,
    search_answers,
    seed_answers,
)

SEED_FILE = Path(__file__).parent / "data" / "policy_answers.json"


def shipped_answers() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return rows


def ready(request: Request) -> None:
    """The shipped answers are loaded the first time anyone looks (an edited table is kept)."""
    state = request.app.state
    if getattr(state, "policy_answers_ready", False):
        return
    deps = deps_of(request)
    with deps.sessions() as session:
        seed_answers(session, shipped_answers(), deps.now())
    state.policy_answers_ready = True


def search(request: Request, query: str) -> list[dict[str, Any]]:
    ready(request)
    with deps_of(request).sessions() as session:
        return [answer_view(a) for a in search_answers(session, query)]


def every_answer(request: Request) -> list[dict[str, Any]]:
    ready(request)
    with deps_of(request).sessions() as session:
        rows = session.scalars(select(PolicyAnswer).order_by(PolicyAnswer.topic, PolicyAnswer.id))
        return [answer_view(a) for a in rows]


@requires("agent")
async def answers_api(request: Request) -> Response:
    query = request.query_params.get("q", "")[:500]
    return JSONResponse({"answers": await run_in_threadpool(search, request, query)})


@requires("agent")
async def answers_page(request: Request) -> Response:
    query = request.query_params.get("q", "")[:500]
    if query:
        answers = await run_in_threadpool(search, request, query)
    else:
        answers = await run_in_threadpool(every_answer, request)
    return render(request, "answers.html", answers=answers, query=query,
                  saved=request.query_params.get("saved"))


def _save(request: Request, form: dict[str, str], editor: str) -> str | None:
    """Apply the admin's form; returns a Chinese error or None."""
    deps = deps_of(request)
    ready(request)
    raw_id = form.get("id", "").strip()
    answer_id = int(raw_id) if raw_id.isdigit() else None
    with deps.sessions() as session:
        try:
            if form.get("delete") and answer_id is not None:
                if not delete_answer(session, answer_id):
                    return "要删除的政策答复不存在"
            else:
                save_answer(session, form, editor, deps.now(), answer_id)
        except (InvalidAnswer, LookupError) as exc:
            session.rollback()
            return str(exc)
        session.commit()
    return None


@requires("admin", csrf=True)
async def answers_edit(request: Request) -> Response:
    user = current_user(request)
    assert user is not None
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    error = await run_in_threadpool(_save, request, form, user.username)
    if error is not None:
        answers = await run_in_threadpool(every_answer, request)
        return render(request, "answers.html", status_code=422, answers=answers, query="",
                      error=error, draft=form)
    return RedirectResponse("/console/answers?saved=1", status_code=303)


routes: list[BaseRoute] = [
    # agents read and search (admins too); only admins change them
    Route("/console/answers", answers_page, methods=["GET"]),
    Route("/console/answers", answers_edit, methods=["POST"]),
    Route("/console/api/answers", answers_api, methods=["GET"]),
]
