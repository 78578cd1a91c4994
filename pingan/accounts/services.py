from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from pingan.accounts import ratelimit
from pingan.accounts.models import Department, Grant, GrantKind, Role, User, binding_errors
from pingan.audit.services import journal_write
from pingan.lib.http import client_ip

if TYPE_CHECKING:  # the type only: the tree sits above the accounts
    from pingan.regions.models import Region


class LoginRefused(Exception):
    pass


def login_check(request: HttpRequest, username: str, password: str) -> User:
    """The one way in, for the staff's login page and the admin's: the same locks,
    the same journal."""
    ip = client_ip(request)
    refusal = _refusal(username, ip)
    if refusal:
        journal_write(
            actor=None, action="login.refused", object_type="user", object_id=username[:64], ip=ip
        )
        raise LoginRefused(refusal)
    user = authenticate(request, username=username, password=password)
    if user is None:
        ratelimit.record_failure(username, ip)
        journal_write(
            actor=None, action="login.failed", object_type="user", object_id=username[:64], ip=ip
        )
        raise LoginRefused("用户名或密码错误")
    ratelimit.clear(username)
    journal_write(actor=user, action="login", object_type="user", object_id=user.pk, ip=ip)
    return user  # type: ignore[return-value]


def _refusal(username: str, ip: str) -> str:
    if ratelimit.is_locked(username):
        minutes = max(1, settings.LOGIN_LOCK_SECONDS // 60)
        return f"该账号登录失败次数过多，已锁定，请{minutes}分钟后再试"
    if ratelimit.is_throttled(ip):
        return "此地址登录失败次数过多，请稍后再试"
    return ""


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    region: Region | None = None,
    department: Department | None = None,
    display_name: str = "",
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色 {role}"})
    binding_errors(role, region, department)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名 {username} 已存在"})
    user = User(
        username=username,
        role=role,
        region=region or (department.region if department else None),
        department=department,
        display_name=display_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        journal_write(
            actor=actor,
            action="user.create",
            object_type="user",
            object_id=user.pk,
            region_path=user.region.path if user.region else "",
            data={"username": username, "role": role},
        )
    return user


def grant_give(*, actor: User | None, user: User, kind: GrantKind, reason: str) -> Grant:
    if not reason.strip():
        raise ValidationError({"reason": "授权必须说明理由"})
    with transaction.atomic():
        grant, _ = Grant.objects.get_or_create(
            user=user, kind=kind, defaults={"granted_by": actor, "reason": reason}
        )
        journal_write(
            actor=actor,
            action="grant.give",
            object_type="user",
            object_id=user.pk,
            reason=reason,
            data={"kind": kind},
        )
    return grant
