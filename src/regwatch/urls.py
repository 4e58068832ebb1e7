from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from regwatch.accounts.login import LoginView
from regwatch.api.health import healthz, readyz

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("captcha/", include("captcha.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("regwatch.accounts.urls")),
    # Browsers ask for /favicon.ico regardless of the <link> in base.html; answer with the SVG.
    path("favicon.ico", RedirectView.as_view(url=static("regwatch/favicon.svg"), permanent=True), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    *[path(f"api/v1/{app}/", include(f"regwatch.{app}.api_urls")) for app in settings.REGWATCH_APP_URLS],
    path("api/v1/", include("regwatch.api.urls")),
    # The schema and its Swagger page are for signed-in users and API clients only (SERVE_PERMISSIONS):
    # anonymous callers get 401 from the schema and the login page instead of the docs.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema", template_name="api/swagger_ui.html")),
        name="api-docs",
    ),
    *[path(f"{app}/", include(f"regwatch.{app}.urls")) for app in settings.REGWATCH_APP_URLS],
    path("", include("regwatch.web.urls")),
]

handler403 = "regwatch.api.problems.handler403"
handler404 = "regwatch.api.problems.handler404"
handler500 = "regwatch.api.problems.handler500"
