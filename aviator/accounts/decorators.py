"""Page access by role: anonymous visitors go to the login page; anyone else without one of the
roles gets a 404, so a page they may not use does not exist for them."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404

from aviator.roles import Role, role_of


def role_required(*roles: Role):
    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


staff_only = role_required(Role.COUNSELOR, Role.ADMIN)
admin_only = role_required(Role.ADMIN)
