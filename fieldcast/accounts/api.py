"""Members in the REST API: public profiles, and `/me` (who a token or session belongs to)."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import Field

from fieldcast.api.auth import MEMBER_AUTH, api_user, api_viewer
from fieldcast.api.schemas import READ_ERRORS, ErrorOut

from .models import ApiToken, User
from .selectors import profile_stats

router = Router(tags=["Members"])


class MemberOut(Schema):
    username: str = Field(..., examples=["amal"])
    name: str = Field(..., description="The display name, else the username.", examples=["Amal Haddad"])
    bio_html: str = Field(..., description="The bio, rendered from Markdown and sanitised.")
    avatar_url: str = Field(..., description="Path of the 256 px avatar, or '' without one.")
    member_since: datetime.datetime
    items_count: int = Field(..., description="Items of theirs that you may see listed.")
    plays_count: int
    comments_count: int
    url: str = Field(..., examples=["/u/amal"])


class MeOut(Schema):
    username: str
    name: str
    safe_mode: bool = Field(..., description="Whether MA media is withheld from this caller.")
    is_moderator: bool
    token_scope: str | None = Field(None, description="'read' or 'write' for a token; null for the site's session.")


def member_out(member: User, request: HttpRequest) -> MemberOut:
    stats = profile_stats(member, api_viewer(request))
    return MemberOut(
        username=member.username,
        name=member.public_name,
        bio_html=member.bio_html,
        avatar_url=member.avatar_url(256),
        member_since=member.date_joined,
        items_count=stats.items,
        plays_count=stats.plays,
        comments_count=stats.comments,
        url=f"/u/{member.username}",
    )


@router.get("/users/{username}", response={200: MemberOut, **READ_ERRORS}, summary="A member's public profile")
def user_detail(request: HttpRequest, username: str) -> MemberOut:
    member = User.objects.filter(username=username, is_active=True, deleted_at__isnull=True).first()
    if member is None:
        raise Http404("There is no member with this username.")
    return member_out(member, request)


@router.get(
    "/me",
    auth=MEMBER_AUTH,
    response={200: MeOut, 401: ErrorOut, 429: ErrorOut},
    summary="Who is calling",
)
def me(request: HttpRequest) -> MeOut:
    viewer = api_viewer(request)
    user = api_user(request)
    auth = getattr(request, "auth", None)
    return MeOut(
        username=user.username,
        name=user.public_name,
        safe_mode=viewer.safe_mode,
        is_moderator=viewer.is_moderator,
        token_scope=auth.scope if isinstance(auth, ApiToken) else None,
    )
