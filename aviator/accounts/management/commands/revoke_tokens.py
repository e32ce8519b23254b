from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from aviator.accounts.services import tokens_revoke


class Command(BaseCommand):
    help = "Revoke every active API token of a user."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = get_user_model().objects.filter(username=email.lower()).first()
        if user is None:
            raise CommandError(f"No user {email}.")
        count = tokens_revoke(user=user)
        self.stdout.write(f"Revoked {count} token(s) of {email}.")
