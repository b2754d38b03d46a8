from django.contrib import admin
from django.urls import include, path, re_path

from minutes import api, health, upload
from minutes.request_limits import accepts_uploads

# The secretariat's upload lives in the admin (its login), before the admin's own catch-all URLs.
admin.site.index_template = "admin/archive_index.html"  # the admin's front page links to it

urlpatterns = [
    path("admin/upload/", accepts_uploads(upload.staff_with_permission(upload.upload)), name="upload"),
    path("admin/upload/<str:token>/", upload.staff_with_permission(upload.preview), name="upload_preview"),
    path(
        "admin/upload/<str:token>/offentliggoer/",
        upload.staff_with_permission(upload.publish),
        name="upload_publish",
    ),
    path(
        "admin/upload/<str:token>/annuller/",
        upload.staff_with_permission(upload.cancel),
        name="upload_cancel",
    ),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/", api.overview, name="api_overview"),
    path("api/", api.api.urls),
    re_path(r"^api/(?P<rest>.*)$", api.unknown_path),  # JSON, not the site's HTML 404
    path("", include("minutes.urls")),
]

handler400 = "minutes.bad_requests.bad_request"  # a page that does not read the refused query again
handler500 = "minutes.health.server_error"  # the 503 page while the database is unavailable
