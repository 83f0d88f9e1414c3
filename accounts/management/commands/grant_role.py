"""Grant a role from the server's shell: for the first security administrator of an installation."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import Role
from accounts.security.services import role_grant_at_installation
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Grant a role to an account (written to the security log; the person is told)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])

    def handle(self, *args, username, role, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        try:
            role_grant_at_installation(user=user, role=Role(role))
        except ApplicationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{username}: {role} granted.")
