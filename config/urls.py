from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from fieldcast.api.main import api
from fieldcast.core import health as core_health
from fieldcast.core import views as core_views
from fieldcast.core.converters import PublicIdConverter, UnicodeSlugConverter
from fieldcast.geo import extract_views as geo_extract_views
from fieldcast.items import views as item_views
from fieldcast.moderation import views as moderation_views

register_converter(UnicodeSlugConverter, "uslug")
register_converter(PublicIdConverter, "pid")

admin.site.site_header = "Fieldcast administration"
# The admin signs in through allauth, so staff pass their second factor there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_title = "Fieldcast admin"

urlpatterns = [
    path("", item_views.home, name="home"),
    path("", include("fieldcast.items.urls")),
    path("", include("fieldcast.community.urls")),
    path("", include("fieldcast.community.urls_social")),
    path("", include("fieldcast.channels.urls")),
    path("", include("fieldcast.accounts.urls")),
    path("", include("fieldcast.pages.urls")),
    path("", include("fieldcast.media.urls")),
    path("", include("fieldcast.player.urls")),
    path("", include("fieldcast.moderation.urls")),
    path("", include("fieldcast.notifications.urls")),
    path("", include("fieldcast.discovery.urls")),
    path("", include("fieldcast.geo.urls")),
    path("", include("fieldcast.provenance.urls")),
    path("v/<pid:public_id>/-/places-found", geo_extract_views.places_found, name="places_found"),
    path("v/<pid:public_id>/-/places.json", geo_extract_views.places_json, name="places_json"),
    path("safe-mode", moderation_views.safe_mode, name="safe_mode"),
    # Answered by core.health.OpsEndpointsMiddleware before any other middleware; routed too
    # so that they resolve (and reverse) like any page.
    path("healthz", core_health.healthz, name="healthz"),
    path("readyz", core_health.readyz, name="readyz"),
    path("metrics", core_health.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_BASELINE_VIEW:
    urlpatterns.append(path("bench/baseline", core_views.bench_baseline))

handler404 = "fieldcast.core.views.not_found"
handler500 = "fieldcast.core.views.server_error"
# allauth answers too many sign-ups, logins or resets from one address with this.
handler429 = "fieldcast.accounts.views.rate_limited"
