import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pingan.accounts.models import Department, Role
from pingan.accounts.services import user_create
from pingan.regions.models import Region


class Command(BaseCommand):
    help = "Add an account bound to a node of the region tree (or to a department)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", help="code of the node the account answers for")
        parser.add_argument("--department", help="department code, for role=department")
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument("--password", help="read from the terminal when not given")

    def handle(self, *args, **options):
        region = self._region(options["region"])
        department = self._department(options["department"])
        password = options["password"] or getpass.getpass("密码：")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                region=region,
                department=department,
                display_name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已创建 {user.username}（{user.get_role_display()}）")

    def _region(self, code):
        if not code:
            return None
        region = Region.objects.filter(code=code, active=True).first()
        if region is None:
            raise CommandError(f"没有编码为 {code} 的区域")
        return region

    def _department(self, code):
        if not code:
            return None
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise CommandError(f"没有编码为 {code} 的部门")
        return department
