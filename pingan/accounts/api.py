from ninja import Router, Schema

from pingan.accounts import access

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None
    read_paths: list[str]
    write_paths: list[str]


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return MeOut(
        username=user.username,
        name=user.label,
        role=user.role,
        role_label=user.get_role_display(),
        region_code=user.region.code if user.region else None,
        region_name=user.region.name if user.region else None,
        read_paths=list(access.read_paths(user)),
        write_paths=list(access.write_paths(user)),
    )
