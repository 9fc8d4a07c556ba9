from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gongjian import home
from gongjian.web import pick

urlpatterns = [
    path("", home.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    *(path(f"pick/{kind}/", pick.pick, {"kind": kind}, name=f"pick_{kind}") for kind in pick.KINDS),
    path("accounts/", include("gongjian.accounts.urls")),
    path("map/", include("gongjian.orgs.urls")),
    path("ledgers/", include("gongjian.members.urls")),
    path("cobuild/", include("gongjian.cobuild.urls")),
    path("lists/", include("gongjian.lists.urls")),
    path("matching/", include("gongjian.matching.urls")),
    path("service/", include("gongjian.service.urls")),
    path("appeals/", include("gongjian.appeals.urls")),
    path("honours/", include("gongjian.honours.urls")),
    path("stats/", include("gongjian.stats.urls")),
    path("", include("gongjian.core.urls")),  # jobs/… and notifications/…
    path("api/v1/", include("gongjian.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "gongjian.core.api.page_not_found"
handler500 = "gongjian.core.api.server_error"
