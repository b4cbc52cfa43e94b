from django.urls import path

from . import feeds, views_feeds, views_lists, views_maps, views_search

app_name = "discovery"

urlpatterns = [
    path("search", views_search.search, name="search"),
    path("search/suggest", views_search.suggest, name="suggest"),
    # Feeds, sitemap, robots (feeds.py, sitemaps.py, views_feeds.py)
    path("feeds/latest.rss", feeds.LatestFeed(), name="latest_rss"),
    path("feeds/latest.atom", feeds.LatestAtomFeed(), name="latest_atom"),
    path("feeds/c/<uslug:slug>.rss", feeds.ChannelFeed(), name="channel_rss"),
    path("feeds/c/<uslug:slug>.atom", feeds.ChannelAtomFeed(), name="channel_atom"),
    path("feeds/tag/<str:key>.rss", feeds.TagFeed(), name="tag_rss"),
    path("feeds/tag/<str:key>.atom", feeds.TagAtomFeed(), name="tag_atom"),
    path("feeds/u/<str:username>.rss", feeds.MemberFeed(), name="member_rss"),
    path("feeds/u/<str:username>.atom", feeds.MemberAtomFeed(), name="member_atom"),
    path("feeds/search.rss", views_feeds.search_feed, {"fmt": "rss"}, name="search_rss"),
    path("feeds/search.atom", views_feeds.search_feed, {"fmt": "atom"}, name="search_atom"),
    path("feeds/media/<pid:public_id>/<str:name>", views_feeds.feed_media, name="feed_media"),
    path("sitemap.xml", views_feeds.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views_feeds.sitemap_section, name="sitemap_section"),
    path("robots.txt", views_feeds.robots_txt, name="robots"),
    path("popular", views_lists.popular, name="popular"),
    path("top", views_lists.top, name="top"),
    path("discussed", views_lists.discussed, name="discussed"),
    # Maps (maps.py, views_maps.py)
    path("map", views_maps.world_map, name="map"),
    path("map/items.json", views_maps.map_items, name="map_items"),
]
