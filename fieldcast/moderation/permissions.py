"""Who may moderate: holders of the `moderation.act` permission (the "moderators" group
has it), checked in every moderation view and every action service. Being staff or a
superuser is not the test: a superuser has every permission anyway, staff do not."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import MODERATE_PERMISSION, MODERATORS_GROUP

logger = logging.getLogger("fieldcast.moderation")


def can_moderate(user: Any) -> bool:
    """Moderation *actions* need the permission itself; staff without it may look
    (User.is_moderator) but not act."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(MODERATE_PERMISSION))


def require_moderator(user: Any) -> None:
    """Raise PermissionDenied (logged) unless `user` may moderate."""
    if not can_moderate(user):
        logger.warning("moderation refused: user %s is not a moderator", getattr(user, "pk", None))
        raise PermissionDenied("Only moderators can do this.")


def moderator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guests go to the login page; members without the permission get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_moderator(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def moderators_group() -> Group:
    """The "moderators" group with the moderation permission (the data migration creates it;
    this restores it where a test flushed the database)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    app_label, codename = MODERATE_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    group.permissions.add(permission)
    return group
