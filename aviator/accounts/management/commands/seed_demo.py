from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from aviator.accounts.services import user_create
from aviator.roles import Role

# (e-mail, password, role, first name: how families see a counselor).
DEMO_ACCOUNTS = (
    ("family@demo.aviator", "fly-family-demo", Role.FAMILY, ""),
    ("counselor@demo.aviator", "fly-counselor-demo", Role.COUNSELOR, "Maya"),
    ("admin@demo.aviator", "fly-admin-demo", Role.ADMIN, "Avery"),
)


class Command(BaseCommand):
    help = "Create the demo family, counselor and admin accounts (once) and print their logins."

    def handle(self, *args, **options):
        users = get_user_model().objects
        self.stdout.write("Demo logins (local use only):")
        for email, password, role, first_name in DEMO_ACCOUNTS:
            if not users.filter(username=email).exists():
                user_create(email=email, password=password, role=role, first_name=first_name)
            self.stdout.write(f"  {role:<10} {email:<24} password: {password}")
