"""The three roles of Aviator, kept as Django groups (DESIGN.md §1)."""

from enum import StrEnum


class Role(StrEnum):
    FAMILY = "family"
    COUNSELOR = "counselor"
    ADMIN = "admin"


def role_of(user) -> Role | None:
    """The user's role; admins outrank counselors, counselors outrank families."""
    if not user.is_authenticated:
        return None
    names = {group.name for group in user.groups.all()}
    for role in (Role.ADMIN, Role.COUNSELOR, Role.FAMILY):
        if role in names:
            return role
    return None


def display_name(user) -> str:
    """How a person is named to families: first name, else a tidy form of their e-mail's name."""
    return user.first_name or user.email.split("@")[0].replace(".", " ").title()
