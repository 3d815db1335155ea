"""The channel adapters: HTTP in, inbox row committed, job enqueued, 202 out."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cases.access import Viewer, may_see
from cases.accounts import authenticate
from cases.inbox import Received, get_intake, receive
from cases.people import cases_of_people, people_by_phone
from cases.tables import Case, Unit, User
from cases.views import case_detail, case_summary, person_view
from intake.auth import (
    AuthError,
    bearer,
    issue_token,
    user_id_for_token,
    verify_signature,
)
from intake.errors import problem, validation_problem
from intake.queueing import enqueue_intake
from intake.schemas import (
    AppIntake,
    CallIntake,
    ClassifyRequest,
    ReferralIntake,
    TokenRequest,
)
from intake.services import IntakeServices
from nlp.identity import InvalidIdentity, normalise_phone, phone_area

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
REFERRAL_ROLES = ("grassroots", "township", "agent", "admin")
LOOKUP_ROLES = ("agent", "supervisor", "admin")


def services_of(request: Request) -> IntakeServices:
    services: IntakeServices = request.app.state.intake
    return services


class BadRequest(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


async def read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(problem(413, "too_large", f"请求体超过{MAX_BODY // 1024}KB"))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(problem(413, "too_large", f"请求体超过{MAX_BODY // 1024}KB"))
    return body


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(problem(400, "malformed_json", f"JSON 格式错误：{exc}")) from None


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise BadRequest(problem(422, "validation_failed", "请求体应为 JSON 对象",
                                 fields=[{"field": "(body)", "code": "model_type",
                                          "message": "应为 JSON 对象"}]))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(validation_problem(exc)) from None


def database_guard(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Any request that finds the database away gets 503 with Retry-After, never a 500."""

    @functools.wraps(handler)
    def guarded(*args: Any) -> Response:
        try:
            return handler(*args)
        except DBAPIError:
            log.exception("database unavailable")
            return problem(503, "database_unavailable", "数据库暂不可用，请稍后重试", retry_after=5)

    return guarded


Endpoint = Callable[[Request], Awaitable[Response]]


def with_body(handler: Callable[[Request, bytes], Response]) -> Endpoint:
    """An endpoint that reads the (size-limited) body, then runs `handler` off the event loop."""
    guarded = database_guard(handler)

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            body = await read_body(request)
        except BadRequest as exc:
            return exc.response
        return await run_in_threadpool(guarded, request, body)

    return endpoint


def without_body(handler: Callable[[Request], Response]) -> Endpoint:
    guarded = database_guard(handler)

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(guarded, request)

    return endpoint


def delivery_id(message_id: str | None, payload: dict[str, Any]) -> str:
    """What makes a repeated delivery one intake: the sender's message id or, when it gives
    none, a digest of the validated request itself — a phone system re-posting a call, a
    form sent twice. Two different requests from one call differ in their text."""
    if message_id is not None:
        return message_id
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def accept(services: IntakeServices, *, channel: str, source: str, message_id: str | None,
           payload: dict[str, Any]) -> Response:
    """Commit the inbox row, then enqueue; 202 only once the row is committed."""
    with services.sessions() as session:
        received: Received = receive(session, channel=channel, source=source,
                                     message_id=delivery_id(message_id, payload),
                                     payload=payload, now=services.now())
    intake = received.intake
    if not received.duplicate:
        try:
            enqueue_intake(services.queue, intake.id, services.max_attempts,
                               services.retry_intervals)
        except RedisError:
            # The row is committed: the reconciler will enqueue it once Redis is back.
            log.warning("redis unavailable; intake %s left for the reconciler", intake.id)
    body = {"intake_id": intake.id, "state": intake.state, "duplicate": received.duplicate}
    return JSONResponse(body, status_code=202)


@with_body
def intake_call(request: Request, body: bytes) -> Response:
    services = services_of(request)
    try:
        source = services.client_keys.client(services.sessions, request, "call").name
        call = validate(CallIntake, parse_json(body))
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    except BadRequest as exc:
        return exc.response
    payload = call.model_dump(exclude_none=True)
    payload["caller_area"] = phone_area(call.caller_number)
    return accept(services, channel="call", source=source,
                  message_id=call.message_id, payload=payload)


@with_body
def intake_app(request: Request, body: bytes) -> Response:
    services = services_of(request)
    try:
        client = services.client_keys.client(services.sessions, request, "app")
        verify_signature(client, request, body)
        source = client.name
        message = validate(AppIntake, parse_json(body))
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    except BadRequest as exc:
        return exc.response
    return accept(services, channel="app", source=source, message_id=message.message_id,
                  payload=message.model_dump(exclude_none=True))


def token_user(services: IntakeServices, request: Request) -> User:
    user_id = user_id_for_token(services.redis, bearer(request))
    if user_id is None:
        raise AuthError("令牌无效或已过期，请重新登录")
    with services.sessions() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise AuthError("账号不存在或已停用")
        session.expunge(user)
        return user


@with_body
def intake_referral(request: Request, body: bytes) -> Response:
    services = services_of(request)
    try:
        user = token_user(services, request)
        if user.role not in REFERRAL_ROLES:
            return problem(403, "forbidden", "该账号无权上报")
        referral = validate(ReferralIntake, parse_json(body))
        with services.sessions() as session:
            village = session.get(Unit, referral.village_code)
            if village is None or village.kind != "village":
                return problem(422, "validation_failed", "village_code：不是本辖区的村（社区）代码",
                               fields=[{"field": "village_code", "code": "unknown_village",
                                        "message": "不是本辖区的村（社区）代码"}])
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    except BadRequest as exc:
        return exc.response
    payload = referral.model_dump(exclude_none=True)
    payload["reporter"] = {"username": user.username, "name": user.display_name,
                           "unit_code": user.unit_code}
    return accept(services, channel="referral", source=user.username,
                  message_id=referral.message_id, payload=payload)


@with_body
def auth_token(request: Request, body: bytes) -> Response:
    services = services_of(request)
    try:
        credentials = validate(TokenRequest, parse_json(body))
    except BadRequest as exc:
        return exc.response
    with services.sessions() as session:
        user = authenticate(session, credentials.username, credentials.password)
        if user is None:
            return problem(401, "unauthorized", "用户名或密码错误")
        token = issue_token(services.redis, user, services.token_ttl_s)
        return JSONResponse({"token": token, "expires_in": services.token_ttl_s,
                             "role": user.role, "unit_code": user.unit_code})


def viewer_of(services: IntakeServices, request: Request) -> Viewer:
    """A machine client (API key) or a user (token) reading through the API."""
    token = bearer(request)
    with services.sessions() as session:
        from cases.accounts import client_by_key

        client = client_by_key(session, token)
        if client is not None:
            return Viewer(kind="client", name=client.name, channel=client.channel)
    user = token_user(services, request)
    return Viewer(kind="user", name=user.username, role=user.role, unit_code=user.unit_code)


@without_body
def get_intake_state(request: Request) -> Response:
    services = services_of(request)
    try:
        viewer = viewer_of(services, request)
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    with services.sessions() as session:
        intake = get_intake(session, request.path_params["intake_id"])
        if intake is None or not _may_see_intake(viewer, intake.source):
            return problem(404, "not_found", "没有这条受理记录")
        body: dict[str, Any] = {"intake_id": intake.id, "state": intake.state,
                                "case_id": intake.case_id, "channel": intake.channel,
                                "received_at": intake.received_at.isoformat()}
        if intake.state == "failed":
            body["error"] = intake.last_error
        return JSONResponse(body)


def _may_see_intake(viewer: Viewer, source: str) -> bool:
    if viewer.kind == "client":
        return viewer.channel == "call" or viewer.name == source
    return viewer.role in ("agent", "admin", "supervisor") or viewer.name == source


@without_body
def get_case(request: Request) -> Response:
    services = services_of(request)
    try:
        viewer = viewer_of(services, request)
        case_id = int(request.path_params["case_id"])
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    with services.sessions() as session:
        case = session.get(Case, case_id)
        if case is None or not may_see(session, viewer, case):
            return problem(404, "not_found", "没有这个案件，或无权查看")
        return JSONResponse(case_detail(session, case, masked=True))


@without_body
def people_lookup(request: Request) -> Response:
    services = services_of(request)
    try:
        viewer = viewer_of(services, request)
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    if not (viewer.kind == "client" and viewer.channel == "call") and viewer.role not in LOOKUP_ROLES:
        return problem(403, "forbidden", "无权查询来电人历史")
    raw = request.query_params.get("phone", "")
    try:
        phone = normalise_phone(raw)
    except InvalidIdentity as exc:
        return problem(422, "validation_failed", f"phone：{exc}",
                       fields=[{"field": "phone", "code": "invalid_phone", "message": str(exc)}])
    with services.sessions() as session:
        people = people_by_phone(session, phone)
        cases = cases_of_people(session, [p.id for p in people])
        return JSONResponse({
            "phone": phone,
            "area": phone_area(phone),
            "people": [person_view(p) for p in people],
            "cases": [case_summary(c) for c in cases],
        })


@with_body
def classify(request: Request, body: bytes) -> Response:
    services = services_of(request)
    try:
        viewer_of(services, request)
        data = validate(ClassifyRequest, parse_json(body))
    except AuthError as exc:
        return problem(401, "unauthorized", str(exc))
    except BadRequest as exc:
        return exc.response
    if services.classifier is None:
        return problem(503, "classifier_unavailable", "分类模型尚未加载")
    return JSONResponse(services.classifier().classify_json(data.text))


routes = [
    Route("/api/v1/intake/call", intake_call, methods=["POST"]),
    Route("/api/v1/intake/app", intake_app, methods=["POST"]),
    Route("/api/v1/intake/referral", intake_referral, methods=["POST"]),
    Route("/api/v1/auth/token", auth_token, methods=["POST"]),
    Route("/api/v1/intakes/{intake_id}", get_intake_state, methods=["GET"]),
    Route("/api/v1/cases/{case_id:int}", get_case, methods=["GET"]),
    Route("/api/v1/people/lookup", people_lookup, methods=["GET"]),
    Route("/api/v1/classify", classify, methods=["POST"]),
]
