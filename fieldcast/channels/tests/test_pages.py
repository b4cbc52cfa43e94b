"""Channel pages: the directory, creating, editing and deleting, banners, staff marks, curators."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fieldcast.channels.models import Channel, Curator
from fieldcast.channels.services import channel_add_item, channel_create, curator_invite
from fieldcast.channels.subscriptions import subscription_add
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.notifications.models import Notification


def picture(width: int = 1200, height: int = 600, name: str = "banner.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 128)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def form_data(**fields):
    return {"name": "Kharkiv", "slug": "", "description": "", **fields}


@pytest.fixture
def owned(member):
    return channel_create(owner=member, name="Kharkiv", slug="kharkiv", description="Shelling of **Kharkiv**.")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Directory ---------------------------------------------------------------------------


def test_directory_searches_names_and_descriptions_in_any_script(client, db):
    ChannelFactory(name="Харків", slug="kharkiv")
    ChannelFactory(name="حمص", slug="homs", description="Footage from Homs")
    ChannelFactory(name="Floods", slug="floods", description="ЗАТОПЛЕННЯ у Херсоні")
    names = lambda q: [c.name for c in client.get(reverse("channels:index"), {"q": q}).context["page"]]  # noqa: E731
    assert names("ХАРКІВ") == ["Харків"]
    assert names("حمص") == ["حمص"]
    assert names("HOMS") == ["حمص"]
    assert names("затоплення") == ["Floods"]
    assert names("nothing like it") == []
    body = client.get(reverse("channels:index"), {"q": "ХАРКІВ"}).content.decode()
    assert "1 channel match" in body


def test_directory_sorts_with_current_events_first(client, db):
    old = ChannelFactory(name="Accidents", slug="accidents")
    busy = ChannelFactory(name="Protests", slug="protests")
    story = ChannelFactory(name="Syria", slug="syria", is_current_event=True)
    ChannelFactory(name="Zeta", slug="zeta")
    staff = UserFactory(is_staff=True)
    for _ in range(2):
        channel_add_item(channel=busy, item=ItemFactory(), actor=staff)
    channel_add_item(channel=old, item=ItemFactory(lifecycle="processing"), actor=staff)  # not listed: not counted
    for user in (UserFactory(), UserFactory()):
        subscription_add(user=user, channel=old)
    UserFactory(username="aaa")  # members' personal channels are not listed

    def order(sort: str) -> list[str]:
        return [c.name for c in client.get(reverse("channels:index"), {"sort": sort}).context["page"]]

    assert order("name") == ["Syria", "Accidents", "Protests", "Zeta"]
    assert order("items")[:2] == ["Syria", "Protests"]
    assert order("subscribers")[:2] == ["Syria", "Accidents"]
    assert order("new") == ["Syria", "Zeta", "Protests", "Accidents"]
    assert order("bogus") == order("name")
    assert story.is_current_event


def test_directory_features_channels_and_pages(client, db, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 3
    for n in range(7):
        ChannelFactory(name=f"Channel {n}", slug=f"c{n}", is_featured=n in (2, 5))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("channels:index"))
    assert [c.name for c in response.context["featured"]] == ["Channel 2", "Channel 5"]
    assert "Featured channels" in response.content.decode()
    second = client.get(reverse("channels:index"), {"page": 2})
    assert [c.name for c in second.context["page"]] == ["Channel 3", "Channel 4", "Channel 5"]
    assert second.context["featured"] == []
    assert client.get(reverse("channels:index"), {"page": "x"}).status_code == 200


# --- Creating ------------------------------------------------------------------------------


def test_guests_are_sent_to_log_in(client, db):
    response = client.get(reverse("channels:new"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(reverse("channels:new"), form_data()).status_code == 302
    assert not Channel.objects.directory().exists()


def test_member_creates_a_channel_with_an_address_made_from_the_name(client, member):
    client.force_login(member)
    response = client.post(
        reverse("channels:new"),
        form_data(name="Сирія: ситуація", description="**Bold** <script>alert(1)</script> [x](javascript:alert(1))"),
    )
    channel = Channel.objects.get(kind="topic")
    assert response.status_code == 302
    assert response["Location"] == channel.get_absolute_url()
    assert (channel.owner, channel.slug) == (member, "сирія-ситуація")
    page = client.get(channel.get_absolute_url())
    body = page.content.decode()
    assert "<strong>Bold</strong>" in body
    assert "<script>alert" not in body
    assert "javascript:" not in channel.description_html
    assert 'dir="auto"' in body
    assert page.context["may_manage"]
    assert page.context["may_file"]


def test_taken_names_and_addresses_get_clear_errors(client, member, owned):
    client.force_login(member)
    response = client.post(reverse("channels:new"), form_data(name="KHARKIV", slug="other"))
    assert "already exists" in response.context["form"].errors["name"][0]
    response = client.post(reverse("channels:new"), form_data(name="Kharkiv oblast", slug="Kharkiv"))
    assert response.context["form"].errors["slug"] == [
        "The address /c/kharkiv is taken by another channel: choose another."
    ]
    ChannelFactory(name="Something", slug="kharkiv-oblast")
    response = client.post(reverse("channels:new"), form_data(name="Kharkiv Oblast"))
    assert "made from the name, /c/kharkiv-oblast, is taken" in response.context["form"].errors["slug"][0]
    for reserved in ("new", "user-bob"):
        response = client.post(reverse("channels:new"), form_data(name="Fine name", slug=reserved))
        assert "reserved" in response.context["form"].errors["slug"][0]
    response = client.post(reverse("channels:new"), form_data(name=""))
    assert response.context["form"].errors["name"] == ["Give the channel a name, e.g. the story it follows."]
    assert "error-summary" in response.content.decode()
    assert Channel.objects.directory().count() == 2


def test_creating_is_rate_limited(client, member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(member)
    codes = [client.post(reverse("channels:new"), form_data(name=f"Story {n}")).status_code for n in range(3)]
    assert codes == [302, 302, 429]


# --- Banners --------------------------------------------------------------------------------


def test_a_banner_is_reencoded_as_a_jpeg_and_served_inert(client, member, media_root):
    client.force_login(member)
    client.post(reverse("channels:new"), {**form_data(name="Floods"), "banner": picture(2400, 900)})
    channel = Channel.objects.get(kind="topic")
    assert channel.banner.startswith(f"channels/{channel.pk}/banner-")
    assert channel.banner.endswith(".jpg")
    with default_storage.open(channel.banner) as handle, Image.open(handle) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1600, 400))
        assert not stored.getexif()
    response = client.get(channel.banner_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(channel.banner_url.replace("banner-", "banner-x")).status_code == 404
    assert channel.banner_url in client.get(channel.get_absolute_url()).content.decode()

    old = channel.banner
    client.post(
        reverse("channels:edit", args=[channel.slug]),
        {**form_data(name="Floods", slug="floods"), "banner": picture(800, 200)},
    )
    channel.refresh_from_db()
    assert channel.banner != old
    client.post(
        reverse("channels:edit", args=[channel.slug]),
        {**form_data(name="Floods", slug="floods"), "remove_banner": "on"},
    )
    channel.refresh_from_db()
    assert channel.banner == ""


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
            "not a picture",
        ),
        (SimpleUploadedFile("x.png", b"<html><body>hello</body></html>"), "not a picture"),
        (picture(300, 80), "needs at least 400×100"),
        (SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1)), "at most 5 MB"),
    ],
)
def test_banners_that_are_not_pictures_are_refused(client, member, media_root, upload, message):
    client.force_login(member)
    response = client.post(reverse("channels:new"), {**form_data(), "banner": upload})
    assert response.status_code == 200
    assert message in response.context["form"].errors["banner"][0]
    assert not Channel.objects.directory().exists()


def test_a_picture_with_too_many_pixels_is_refused_before_decoding(client, member, media_root):
    out = io.BytesIO()
    Image.new("1", (5000, 4000)).save(out, "PNG")  # 20 million pixels in a few kilobytes
    client.force_login(member)
    response = client.post(
        reverse("channels:new"), {**form_data(), "banner": SimpleUploadedFile("b.png", out.getvalue())}
    )
    assert "at most 16 million pixels" in response.context["form"].errors["banner"][0]


# --- Editing and deleting: the owner and staff only ---------------------------------------------


def test_others_cannot_edit_or_delete(client, other_member, owned):
    client.force_login(other_member)
    for name in ("channels:edit", "channels:delete", "channels:curators"):
        url = reverse(name, args=[owned.slug])
        assert client.get(url).status_code == 403
        assert client.post(url, {**form_data(name="Hijacked"), "confirm": "on", "username": "other"}).status_code == 403
    assert client.post(reverse("channels:curator_remove", args=[owned.slug, other_member.pk])).status_code == 403
    owned.refresh_from_db()
    assert owned.name == "Kharkiv"
    assert not Curator.objects.exists()


def test_owner_edits_and_staff_may_too(client, member, staff, owned):
    client.force_login(member)
    response = client.post(
        reverse("channels:edit", args=[owned.slug]),
        form_data(name="Kharkiv region", slug="kharkiv-region", description="New"),
    )
    owned.refresh_from_db()
    assert response["Location"] == "/c/kharkiv-region"
    assert (owned.name, owned.name_key, owned.description_html) == ("Kharkiv region", "kharkiv region", "<p>New</p>")
    assert client.get(reverse("channels:edit", args=[owned.slug])).context["form"].initial["name"] == "Kharkiv region"
    client.force_login(staff)
    client.post(reverse("channels:edit", args=[owned.slug]), form_data(name="Kharkiv", slug="kharkiv-region"))
    owned.refresh_from_db()
    assert owned.name == "Kharkiv"


def test_owner_deletes_and_items_count_one_channel_fewer(client, member, owned):
    item = ItemFactory()
    channel_add_item(channel=owned, item=item, actor=member)
    client.force_login(member)
    response = client.post(reverse("channels:delete", args=[owned.slug]), {})
    assert "Tick the box" in response.content.decode()
    response = client.post(reverse("channels:delete", args=[owned.slug]), {"confirm": "on"})
    assert response["Location"] == reverse("channels:mine")
    assert not Channel.objects.filter(pk=owned.pk).exists()
    assert Item.objects.get(pk=item.pk).channels_count == 0


# --- Staff marks ---------------------------------------------------------------------------------


def test_staff_mark_current_events_and_featured_from_the_page(client, member, staff, owned):
    url = reverse("channels:flags", args=[owned.slug])
    client.force_login(member)
    assert client.post(url, {"is_featured": "on"}).status_code == 403
    assert "flags_form" not in client.get(owned.get_absolute_url()).context
    client.force_login(staff)
    assert "Staff: current event and featured" in client.get(owned.get_absolute_url()).content.decode()
    client.post(url, {"is_featured": "on", "is_current_event": "on"})
    owned.refresh_from_db()
    assert owned.is_featured
    assert owned.is_current_event
    page = client.get(owned.get_absolute_url())
    assert "(current event)" in page.content.decode()
    assert page.context["timeline"] is not None


# --- Curators ------------------------------------------------------------------------------------


def test_owner_invites_and_only_the_invitee_answers(client, member, other_member, owned):
    client.force_login(member)
    response = client.post(reverse("channels:curators", args=[owned.slug]), {"username": "nobody-here"})
    assert response.context["form"].errors["username"] == ["No member is called “nobody-here”."]
    response = client.post(reverse("channels:curators", args=[owned.slug]), {"username": "OTHER"})
    assert response.status_code == 302
    note = Notification.objects.get(recipient=other_member)
    assert (note.kind, note.channel) == ("curator_invite", owned)
    response = client.post(reverse("channels:curators", args=[owned.slug]), {"username": "other"})
    assert "already invited" in response.context["form"].errors["username"][0]
    assert "no answer yet" in client.get(reverse("channels:curators", args=[owned.slug])).content.decode()

    third = UserFactory(username="third")
    client.force_login(third)
    invitation = reverse("channels:invitation", args=[owned.slug])
    assert client.get(invitation).status_code == 404
    assert client.post(invitation, {"answer": "accept"}).status_code == 404

    client.force_login(other_member)
    assert client.get(owned.get_absolute_url()).context["invited"] is True
    assert "Accept" in client.get(invitation).content.decode()
    client.post(invitation, {"answer": "accept"})
    assert Curator.objects.get(user=other_member).status == "accepted"
    assert client.get(owned.get_absolute_url()).context["may_file"] is True
    client.post(invitation, {"answer": "decline"})  # steps down
    assert Curator.objects.get(user=other_member).status == "declined"
    assert client.get(invitation).status_code == 404


def test_owner_removes_a_curator(client, member, other_member, owned):
    curator_invite(channel=owned, inviter=member, user=other_member)
    client.force_login(member)
    client.post(reverse("channels:curator_remove", args=[owned.slug, other_member.pk]))
    assert not Curator.objects.exists()


def test_channel_page_query_count_is_fixed(client, member, other_member, owned, django_assert_max_num_queries):
    for _ in range(5):
        channel_add_item(channel=owned, item=ItemFactory(), actor=member)
    curator_invite(channel=owned, inviter=member, user=other_member)
    client.force_login(other_member)
    with django_assert_max_num_queries(9):
        response = client.get(owned.get_absolute_url())
    assert len(response.context["page"].items) == 5
    client.logout()
    with django_assert_max_num_queries(5):
        client.get(owned.get_absolute_url())


def test_directory_summaries_are_plain_text(client, db):
    ChannelFactory(name="Cartoons", slug="cartoons", description="Tom & **Jerry** <b>x</b>")
    body = client.get(reverse("channels:index")).content.decode()
    assert "Tom &amp; Jerry x" in body
    assert "**" not in body
    assert "&amp;amp;" not in body


def test_admin_marks_channels_and_refuses_a_taken_name(admin_client, db):
    channel = ChannelFactory(name="Syria", slug="syria")
    changelist = reverse("admin:fcchannels_channel_changelist")
    assert admin_client.get(changelist).status_code == 200
    response = admin_client.post(
        reverse("admin:fcchannels_channel_add"),
        {
            "name": "SYRIA",
            "slug": "syria-2",
            "description": "",
            "kind": "topic",
            "created_at_0": "2024-01-01",
            "created_at_1": "00:00:00",
            "curators-TOTAL_FORMS": "0",
            "curators-INITIAL_FORMS": "0",
            "item_links-TOTAL_FORMS": "0",
            "item_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "A channel with this name already exists" in response.content.decode()
    assert Channel.objects.directory().count() == 1
    response = admin_client.post(
        changelist,
        {
            "action": "recount_subscribers",
            "_selected_action": [channel.pk],
        },
    )
    assert response.status_code == 302
