"""Give the application's PostgreSQL role row access and nothing more; run as the owner after every migrate.

    DATABASE_URL=postgres://letters_owner:…@db:5432/letters POSTGRES_APP_PASSWORD=… \\
        python manage.py grant_database_roles letters_app

The statements it runs are listed in accounts/database_roles.py; README, "Database roles", says why.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from accounts.database_roles import DatabaseRoleError, database_role_grant


class Command(BaseCommand):
    help = (
        "Create (if missing) the application's database role and grant it exactly SELECT, INSERT, UPDATE "
        "and DELETE on every table and use of the sequences: no TRUNCATE, TRIGGER, REFERENCES or CREATE. "
        "Run as the owner of the tables, after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's role, e.g. letters_app")
        parser.add_argument(
            "--password-env",
            default="POSTGRES_APP_PASSWORD",
            help="the environment variable holding the role's password (default POSTGRES_APP_PASSWORD)",
        )

    def handle(self, *args, role, password_env, **options):
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"Set {password_env} to the password of the database role {role}.")
        try:
            summary = database_role_grant(role=role, password=password)
        except DatabaseRoleError as error:
            raise CommandError(str(error)) from None
        made = "created" if summary.created else "existing"
        self.stdout.write(
            f"{summary.role} ({made}): CONNECT on {summary.database}, "
            f"USAGE on schema public, SELECT, INSERT, UPDATE, DELETE on {summary.tables} tables, "
            f"USAGE, SELECT on {summary.sequences} sequences; no TRUNCATE, TRIGGER, REFERENCES or CREATE."
        )
