from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from minutes import discovery, export, feeds, views
from minutes.alerts import views as alerts

app_name = "minutes"

urlpatterns = [
    path("", views.home, name="home"),
    path("soeg/", views.search_page, name="search"),
    path("soeg/tips/", views.search_tips, name="search_tips"),
    path("soeg/csv/", export.search_csv, name="search_csv"),
    path("soeg/atom/", feeds.SearchFeed(), name="search_feed"),
    path("atom/", feeds.ArchiveFeed(), name="archive_feed"),
    path("atom.xsl", views.feed_stylesheet, name="feed_stylesheet"),
    path("arkiv/", views.year_list, name="year_list"),
    path("arkiv/<int:year>/", views.year_detail, name="year_detail"),
    path("moede/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("moede/<int:pk>/referat/", views.meeting_source, name="meeting_source"),
    path("punkt/<int:pk>/", views.item_detail, name="item_detail"),
    # Case numbers are letters, digits and hyphens ("23-012486", "326-2019-830", "21-046857K").
    path("sag/<str:number>/", views.case_detail, name="case_detail"),
    path("sag/<str:number>/atom/", feeds.CaseFeed(), name="case_feed"),
    path("person/<slug:slug>/", views.person_detail, name="person_detail"),
    path("udvalg/", views.body_list, name="body_list"),
    path("udvalg/<slug:slug>/", views.body_detail, name="body_detail"),
    path("udvalg/<slug:slug>/punkter/", views.body_items, name="body_items"),
    path("udvalg/<slug:slug>/atom/", feeds.BodyFeed(), name="body_feed"),
    path("abonnement/", alerts.subscribe, name="alert_subscribe"),
    path("abonnement/bekraeft/<str:token>/", alerts.confirm, name="alert_confirm"),
    path("abonnement/<str:token>/", alerts.manage, name="alert_manage"),
    path("abonnement/<str:token>/afmeld/", alerts.unsubscribe, name="alert_unsubscribe"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": discovery.SITEMAPS, "sitemap_url_name": "minutes:sitemap"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<slug:section>.xml", sitemap_views.sitemap, {"sitemaps": discovery.SITEMAPS}, name="sitemap"
    ),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("opensearch.xml", discovery.opensearch, name="opensearch"),
]
