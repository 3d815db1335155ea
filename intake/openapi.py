"""The OpenAPI document of the intake API, built from the payload models themselves."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from intake.schemas import AppIntake, CallIntake, ClassifyRequest, ReferralIntake, TokenRequest

_REF = "#/components/schemas/{model}"

_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string", "description": "中文说明"},
        "fields": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "required": ["error", "message"],
}
_ACCEPTED = {
    "type": "object",
    "properties": {"intake_id": {"type": "string"}, "state": {"type": "string"},
                   "duplicate": {"type": "boolean"}},
    "required": ["intake_id"],
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "JSON 格式错误", 401: "凭据或签名无效", 403: "无权操作", 404: "不存在或无权查看",
            413: "请求体过大", 422: "字段校验失败（逐字段说明）", 503: "数据库暂不可用（见 Retry-After）"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _intake_op(model: type[BaseModel], summary: str, security: list[dict[str, list[str]]]) -> dict[str, Any]:
    return {"post": {
        "summary": summary,
        "security": security,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(model)}}},
        "responses": {"202": {"description": "已入库并排队处理", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Accepted"}}}},
            **_errors(400, 401, 413, 422, 503)},
    }}


def openapi_document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [CallIntake, AppIntake, ReferralIntake, TokenRequest, ClassifyRequest]
    _, schemas = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    components = dict(schemas.get("$defs", {}))
    components.update(Error=_ERROR, Accepted=_ACCEPTED)
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "12349 社会救助服务热线 受理接口", "version": "1"},
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "渠道 API key，或 /api/v1/auth/token 取得的令牌"},
                "signature": {"type": "apiKey", "in": "header", "name": "X-Hotline-Signature",
                              "description": "hex(HMAC-SHA256(secret, X-Hotline-Timestamp + '.' + body))"},
            },
        },
        "paths": {
            "/api/v1/intake/call": _intake_op(CallIntake, "热线来电受理", bearer),
            "/api/v1/intake/app": _intake_op(AppIntake, "APP 渠道（签名 webhook）",
                                             [{"bearer": [], "signature": []}]),
            "/api/v1/intake/referral": _intake_op(ReferralIntake, "主动发现（网格员/协理员上报）", bearer),
            "/api/v1/auth/token": {"post": {
                "summary": "用户名密码换取令牌",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref(TokenRequest)}}},
                "responses": {"200": {"description": "令牌"}, **_errors(400, 401, 422)}}},
            "/api/v1/intakes/{intake_id}": {"get": {
                "summary": "受理记录状态", "security": bearer,
                "parameters": [{"name": "intake_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "state: pending|processed|failed, case_id"},
                              **_errors(401, 404)}}},
            "/api/v1/cases/{case_id}": {"get": {
                "summary": "案件（个人信息脱敏）", "security": bearer,
                "parameters": [{"name": "case_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "案件详情与时间线"}, **_errors(401, 404)}}},
            "/api/v1/people/lookup": {"get": {
                "summary": "按电话查询来电人及其历史案件", "security": bearer,
                "parameters": [{"name": "phone", "in": "query", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "人员与案件"}, **_errors(401, 403, 422)}}},
            "/api/v1/classify": {"post": {
                "summary": "文本分类与分派建议", "security": bearer,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref(ClassifyRequest)}}},
                "responses": {"200": {"description": "Signals 与 Route"}, **_errors(400, 401, 422)}}},
        },
    }
