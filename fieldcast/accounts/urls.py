from django.urls import path, register_converter

from . import views


class AvatarKeyConverter:
    """A random token with the file's extension (see avatars.avatar_new_key)."""

    regex = r"[A-Za-z0-9_-]{6,20}\.(?:webp|jpg)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AvatarKeyConverter, "avatarkey")

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>", views.profile, name="profile"),
    path("u/<str:username>/block", views.block, name="block"),
    path("u/<str:username>/unblock", views.unblock, name="unblock"),
    path("avatars/<int:user_id>/<int:size>-<avatarkey:key>", views.avatar, name="avatar"),
    path("me", views.me, name="me"),
    path("me/settings", views.settings_view, name="settings"),
    path("me/export", views.export, name="export"),
    path("me/tokens", views.tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("me/delete", views.delete, name="delete"),
    path("account-deleted", views.deleted, name="deleted"),
]
