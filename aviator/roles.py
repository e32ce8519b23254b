"""The three roles of Aviator, kept as Django groups (DESIGN.md §1)."""

from enum import StrEnum


class Role(StrEnum):
    FAMILY = "family"
    COUNSELOR = "counselor"
    ADMIN = "admin"


def role_of(user) -> Role | None:
    """The user's role; admins outrank counselors, counselors outrank families.

    Read once per user object (so once per request) and kept on it: a request asks several
    times (the log, the quota, access checks), and roles change by an admin's hand, not mid-request.
    """
    if not user.is_authenticated:
        return None
    if not hasattr(user, ROLE_CACHE):
        remember_role(user, [group.name for group in user.groups.all()])
    return getattr(user, ROLE_CACHE)


def remember_role(user, group_names) -> None:
    """Keep on `user` the role its groups (`group_names`) give, for `role_of`."""
    names = set(group_names)
    setattr(user, ROLE_CACHE, next((role for role in RANKED if role in names), None))


RANKED = (Role.ADMIN, Role.COUNSELOR, Role.FAMILY)
ROLE_CACHE = "_aviator_role"


def display_name(user) -> str:
    """How a person is named to families: first name, else a tidy form of their e-mail's name."""
    return user.first_name or user.email.split("@")[0].replace(".", " ").title()
