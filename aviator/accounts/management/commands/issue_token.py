from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from aviator.accounts.services import token_issue, user_create
from aviator.roles import Role, role_of


class Command(BaseCommand):
    help = "Print a new API bearer token for a user (creating the user with --create)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--create", action="store_true", help="create the user if missing")

    def handle(self, *args, email: str, role: str, create: bool, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        wanted = Role(role)
        user = get_user_model().objects.filter(username=email.lower()).first()
        if user is None:
            if not create:
                raise CommandError(f"No user {email}; pass --create to create one.")
            user = user_create(email=email, password=None, role=wanted)
        elif role_of(user) != wanted:
            raise CommandError(f"{email} has the role {role_of(user)}, not {wanted}.")
        self.stdout.write(token_issue(user=user))
