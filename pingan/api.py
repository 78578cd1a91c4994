"""The JSON API at /api/ (OpenAPI at /api/docs). Errors are structured:
{"error": {"code": "...", "message": "中文说明"}}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from pingan.accounts.api import router as accounts_router
from pingan.accounts.ratelimit import Throttled
from pingan.command.api import router as command_router
from pingan.events.api import router as events_router
from pingan.events.services import Conflict
from pingan.fieldwork.api import router as fieldwork_router
from pingan.legal.api import router as legal_router
from pingan.lib.errors import DomainError
from pingan.parking.api import router as parking_router
from pingan.regions.api import router as regions_router
from pingan.registry.api import router as registry_router
from pingan.things.api import router as things_router
from pingan.video.api import router as video_router


class ChineseJSONRenderer(JSONRenderer):
    # Chinese as it is, no spaces: a 10,000-camera layer is a tenth smaller and quicker.
    json_dumps_params = {"ensure_ascii": False, "separators": (",", ":")}


ERROR_REPLIES = {
    "401": "未登录",
    "403": "无权进行此操作",
    "404": "没有找到，或不在您的辖区内",
    "409": "冲突：别人先改了，或提交编号已用过",
    "422": "请求不符合规则（中文说明在 error.message）",
    "413": "请求体过大（error.max_bytes 是上限）",
    "429": "请求太频繁",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {}},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


class PinganAPI(NinjaAPI):
    """Every operation documents the structured errors the handlers below give."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                replies = operation.setdefault("responses", {})
                for status, text in ERROR_REPLIES.items():
                    replies.setdefault(status, {"description": text, "content": reference})
        return schema


api = PinganAPI(
    title="Pingan API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
)
api.add_router("/", accounts_router)
api.add_router("/", regions_router)
api.add_router("/", registry_router)
api.add_router("/", events_router)
api.add_router("/v1/legal", legal_router)
api.add_router("/field", fieldwork_router)
api.add_router("/command", command_router)
api.add_router("/things", things_router)
api.add_router("/video", video_router)
api.add_router("/parking", parking_router)


def error(request, status: int, code: str, message: str):
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "请先登录")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "无权进行此操作")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "没有找到")


@api.exception_handler(DomainError)
def _invalid(request, exc):
    return error(request, 422, "invalid", str(exc))


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return error(request, 429, "throttled", "请求太频繁，请稍后再试")


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(ValidationError)
def _validation(request, exc):
    return error(request, 422, "invalid", "；".join(exc.messages))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    limit = settings.SYNC_BATCH_BYTES
    message = f"一次提交的数据超过 {limit // (1024 * 1024)} MB，请分批提交"
    body = {"error": {"code": "too_large", "message": message, "max_bytes": limit}}
    return api.create_response(request, body, status=413)


@api.exception_handler(RequestInvalid)
def _request_invalid(request, exc):
    response = {"code": "invalid", "message": "请求参数不正确", "details": exc.errors}
    return api.create_response(request, {"error": response}, status=422)
