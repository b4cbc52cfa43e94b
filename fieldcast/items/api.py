"""The items part of the REST API: list and search, detail, create, update, delete,
follow-up updates, and tags (mounted by fieldcast.api.main).

Reads go through the access layer (Item.objects.visible_to, items.access) and the
search of /search (discovery.search with the page's SearchForm); writes go through
items.services with the item form's validation (ItemForm), so the API accepts exactly
what the site's form accepts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, F, FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Status

from fieldcast.api.auth import WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Key, keyset_page, keyset_slice, newest_first
from fieldcast.api.schemas import CURSOR_DESCRIPTION, LIMIT_DESCRIPTION, LIST_ERRORS, ErrorOut, json_answer
from fieldcast.api.throttling import limit_write
from fieldcast.channels.models import Channel
from fieldcast.channels.services import channels_fileable_by
from fieldcast.core.text import normalize_key
from fieldcast.discovery.search import parse_query, ranked_candidates, search_items, search_rows
from fieldcast.discovery.snippets import snippet
from fieldcast.discovery.views_search import SearchForm
from fieldcast.media.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    asset_ids_from_uploads,
    assets_out,
    item_assets,
    media_expiry,
)
from fieldcast.media.models import MediaAsset
from fieldcast.moderation.selectors import suspension_message
from fieldcast.moderation.viewer import Viewer

from .access import ItemAccess, item_get_for_viewer
from .api_access import item_for_editor, item_for_reader
from .api_schemas import (
    ChannelRefOut,
    ItemCardOut,
    ItemCreateIn,
    ItemDetailOut,
    ItemFilters,
    ItemPage,
    ItemPatchIn,
    ItemRefOut,
    ItemStateOut,
    TagItemPage,
    TagOut,
    TagPage,
    TagRefOut,
    card_fields,
    item_card,
)
from .forms import ItemForm
from .models import Item, ItemTag, Tag
from .selectors import _with_tags
from .services import item_create, item_delete, item_update

router = Router(tags=["Items"])

# Keyset orders of the list, one per sort (the same orders as /search; the last key unique).
SORT_KEYS: dict[str, tuple[Key, ...]] = {
    "relevance": (Key("api_rank"), Key("added_at"), Key("pk")),
    "newest": newest_first("added_at"),
    "played": (Key("plays_count"), Key("added_at"), Key("pk")),
    "voted": (Key("vote_score"), Key("added_at"), Key("pk")),
    "occurred": (Key("occurred_on", nullable=True), Key("added_at"), Key("pk")),
}
# API field names that differ from the item form's.
FORM_NAMES = {"update_of": "follow_up_of"}
API_NAMES = {form: api for api, form in FORM_NAMES.items()}


# --- reads --------------------------------------------------------------------------------------


def _search_form(filters: ItemFilters) -> SearchForm:
    """The /search page's form checks the filters; here an invalid one is a 422, not a note."""
    data = {
        name: value.isoformat()
        if isinstance(value, datetime.date)
        else value.replace("\x00", "")  # PostgreSQL refuses NUL in a query
        if isinstance(value, str)
        else value
        for name, value in filters.dict(exclude_none=True).items()
    }
    form = SearchForm(data)
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form


def _page_cards(rows: list[Item], viewer: Viewer, highlight: tuple[str, ...] = ()) -> list[ItemCardOut]:
    cards = []
    for item in rows:
        text = None
        if highlight:
            doc = getattr(item, "search_doc", None)
            text = str(snippet(doc.body if doc else item.body, highlight))
        cards.append(item_card(item, viewer, text))
    return cards


@router.get("/items", response={200: ItemPage, **LIST_ERRORS}, summary="List and search items")
def item_list(
    request: HttpRequest,
    filters: Query[ItemFilters],
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> HttpResponse:
    """The items you may see listed (ready, public, not moderated; Safe Mode decides what
    MA items show), newest first, or found by `q` and the filters of the site's search.
    Every sort is cursor-paginated; relevance ranks a bounded set of the newest matches
    (SEARCH_MAX_CANDIDATES), so its pages end there."""
    viewer = api_viewer(request)
    form = _search_form(filters)
    parsed = parse_query(form.value("q") or "")
    search_filters = form.filters()
    sort = form.value("sort") or "relevance"
    if sort == "relevance" and parsed.is_empty:
        sort = "newest"
    if sort == "relevance" and connection.vendor == "postgresql":
        # The search page's way: the candidates ranked where they are found (and the RUM
        # index for rare words), paged in memory, then the rows of the page only.
        ranked = ranked_candidates(viewer, parsed, search_filters)
        page, next_cursor = keyset_slice(ranked, width=3, cursor=cursor, limit=limit, tag="items-relevance")
        rows = search_rows(viewer, [pk for _, _, pk in page])
        return json_answer(ItemPage(items=_page_cards(rows, viewer, parsed.highlight), next_cursor=next_cursor))
    qs: QuerySet[Item]
    if parsed.is_empty and not search_filters.any:
        qs = Item.objects.visible_to(viewer)
    else:
        qs = search_items(viewer, parsed, sort=sort, filters=search_filters)
    if sort == "relevance":
        # Compared in double precision: PostgreSQL ranks are `real`, which would not survive
        # the cursor's round trip through a Python float exactly.
        qs = qs.annotate(api_rank=Cast(F("search_rank"), output_field=FloatField()))
    qs = _with_tags(qs)
    if not parsed.is_empty:
        qs = qs.select_related("search_doc")
    rows, next_cursor = keyset_page(qs, SORT_KEYS[sort], cursor=cursor, limit=limit, tag=f"items-{sort}")
    return json_answer(ItemPage(items=_page_cards(rows, viewer, parsed.highlight), next_cursor=next_cursor))


def item_detail_out(result: ItemAccess, viewer: Viewer) -> ItemDetailOut:
    """The item as its page shows it to `viewer` (SHOW or INTERSTITIAL): a fixed number of
    queries (tags, channels, files with renditions, the original's visibility)."""
    item = result.item
    tags = [link.tag for link in ItemTag.objects.filter(item=item).select_related("tag")]
    channels = list(
        Channel.objects.filter(item_links__item=item).select_related("owner").order_by("-is_current_event", "name")
    )
    assets = item_assets(item)
    item.card_assets = [a for a in assets if a.status != MediaAsset.Status.FAILED]  # type: ignore[attr-defined]
    shows = result.shows_content
    update_of = None
    if item.update_of_id is not None and Item.objects.openable_by(viewer).filter(pk=item.update_of_id).exists():
        original = item.update_of
        assert original is not None  # noqa: S101 (update_of_id is set)
        update_of = ItemRefOut(
            public_id=original.public_id,
            title=original.title,
            url=original.get_absolute_url(),
            rating=original.rating,  # type: ignore[arg-type]
        )
    is_author = viewer.is_authenticated and item.author_id == viewer.user_id
    state = None
    if is_author or viewer.is_staff:
        state = ItemStateOut(
            lifecycle=item.lifecycle,  # type: ignore[arg-type]
            moderation=item.moderation,  # type: ignore[arg-type]
            failure_reason=item.failure_reason,
            moderation_reason=item.moderation_reason,
            status_url=f"/api/v1/items/{item.public_id}/status",
        )
    pin = None
    if item.pin_latitude is not None and item.pin_longitude is not None:
        pin = {"latitude": item.pin_latitude, "longitude": item.pin_longitude}
    return ItemDetailOut(
        **card_fields(item, viewer, tags),
        access=result.access.value,  # type: ignore[arg-type]
        body_html=item.body_html if shows else "",
        source=item.source,
        occurred_time=item.occurred_time,
        occurred_tz=item.occurred_tz,
        pin=pin,  # type: ignore[arg-type]
        visibility=item.visibility,  # type: ignore[arg-type]
        embeddable=item.embeddable,
        comments_mode=item.comments_mode,  # type: ignore[arg-type]
        comments_locked=item.comments_locked,
        channels=[
            ChannelRefOut(
                slug=c.slug,
                name=c.name,
                kind=c.kind,  # type: ignore[arg-type]
                is_current_event=c.is_current_event,
                url=c.get_absolute_url(),
            )
            for c in channels
        ],
        update_of=update_of,
        updates_url=f"/api/v1/items/{item.public_id}/updates",
        media=assets_out(item, viewer, assets) if shows else [],
        media_expires_at=media_expiry() if shows else None,
        state=state,
    )


@router.get("/items/{public_id}", response={200: ItemDetailOut, **DETAIL_ERRORS}, summary="One item")
def item_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The item with its article, place, tags, channels, counts, the original it follows up,
    and its files with signed media URLs. An MA item under your Safe Mode comes with
    `access` = "interstitial": no article and no media. Private or unfinished items are
    404 except to their author and staff; removed ones 410 with the reason, disabled
    ones 451, held ones 403."""
    result = item_for_reader(request, public_id)
    return json_answer(item_detail_out(result, api_viewer(request)))


@router.get(
    "/items/{public_id}/updates",
    response={200: ItemPage, **DETAIL_ERRORS},
    summary="Follow-up updates of an item",
)
def item_updates(
    request: HttpRequest,
    public_id: str,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> HttpResponse:
    """The items posted as updates to this one that you may see listed, newest first (the
    item page lists the same). Post one with `POST /items` and `update_of`."""
    viewer = api_viewer(request)
    original = item_for_reader(request, public_id).item
    qs = _with_tags(Item.objects.visible_to(viewer).filter(update_of=original))
    rows, next_cursor = keyset_page(qs, newest_first("added_at"), cursor=cursor, limit=limit, tag="item-updates")
    return json_answer(ItemPage(items=_page_cards(rows, viewer), next_cursor=next_cursor))


# --- writes -------------------------------------------------------------------------------------


def _form_value(name: str, value: Any) -> Any:
    if value is None:
        return [] if name in {"content_flags", "tags", "channels", "assets"} else ""
    if name in {"tags", "assets"} and not isinstance(value, str):  # the form takes comma-separated text
        return (", " if name == "tags" else ",").join(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _form_data(values: dict[str, Any], user: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The item form's data from API fields, and errors found on the way (channels by slug)."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name == "channels" and value:
            slugs = [slug for slug in value if "\x00" not in slug]
            found = dict(channels_fileable_by(user).filter(slug__in=slugs).values_list("slug", "pk"))
            refused = [slug for slug in value if slug not in found]
            if refused:
                errors["channels"] = [
                    f"You cannot file items in “{slug[:80]}”: there is no such channel, or it is not one you file in."
                    for slug in refused
                ]
            data["channels"] = list(found.values())
            continue
        data[FORM_NAMES.get(name, name)] = _form_value(name, value)
    return data, errors


def _initial_data(item: Item, user: Any) -> dict[str, Any]:
    """The edit form as the site would show it filled in for `user` (only channels they file in)."""
    initial = ItemForm.initial_for(item)
    fileable = set(channels_fileable_by(user).values_list("pk", flat=True))
    data = {name: _form_value(name, value) for name, value in initial.items() if name != "channels"}
    data["channels"] = [c.pk for c in initial["channels"] if c.pk in fileable]
    return data


def _cleaned(form: ItemForm, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The form's cleaned data, or a ValidationError naming each API field at fault (422)."""
    valid = form.is_valid()
    for name, messages in form.errors.items():
        errors.setdefault(API_NAMES.get(name, name), []).extend(str(m) for m in messages)
    if errors or not valid:
        raise ValidationError(errors or {"__all__": ["The item could not be saved."]})
    return dict(form.cleaned_data)


def _detail_for(request: HttpRequest, item: Item) -> ItemDetailOut:
    viewer = api_viewer(request)
    return item_detail_out(item_get_for_viewer(viewer, item.public_id), viewer)


@router.post(
    "/items", auth=WRITE_AUTH, response={201: ItemDetailOut, **CHANGE_ERRORS}, summary="Post an item or an update"
)
def item_new(request: HttpRequest, payload: ItemCreateIn) -> Status[ItemDetailOut]:
    """Post an item, with the rules of the site's form (/new): a rating, agreement to the
    terms, a date not in the future, a known time zone, both pin coordinates or none, at
    most 20 tags. Files: upload them first with tus (`/uploads/`, same token), then name
    them in `assets` or `uploads`; the item is `processing` until one plays. With
    `update_of` it is posted as an update (follow-up) of that item."""
    user = api_user(request)
    limit_write(request, "item")
    if (suspended := suspension_message(user)) is not None:
        raise PermissionDenied(suspended)
    values = payload.dict()
    uploads = values.pop("uploads")
    if uploads:
        values["assets"] = [*values["assets"], *asset_ids_from_uploads(user, uploads)]
    data, errors = _form_data(values, user)
    form = ItemForm(data, user=user, viewer=api_viewer(request))
    cleaned = _cleaned(form, errors)
    cleaned.pop("agree_terms")
    update_of = cleaned.pop("follow_up_of")
    item = item_create(author=user, update_of=update_of, **cleaned)
    return Status(201, _detail_for(request, item))


@router.patch(
    "/items/{public_id}", auth=WRITE_AUTH, response={200: ItemDetailOut, **CHANGE_ERRORS}, summary="Change an item"
)
def item_change(request: HttpRequest, public_id: str, payload: ItemPatchIn) -> ItemDetailOut:
    """Change any of the item form's fields (the others keep their values), with the same
    rules as the site's edit form. Only the item's author and staff may."""
    item = item_for_editor(request, public_id)
    limit_write(request, "item")
    user = api_user(request)
    changes, errors = _form_data(payload.dict(exclude_unset=True), user)
    data = {**_initial_data(item, user), **changes}
    cleaned = _cleaned(ItemForm(data, user=user, item=item), errors)
    item = item_update(item=item, editor=user, **cleaned)
    return _detail_for(request, item)


@router.delete(
    "/items/{public_id}",
    auth=WRITE_AUTH,
    response={204: None, **dict.fromkeys((401, 403, 404, 410, 429), ErrorOut)},
    summary="Delete an item",
)
def item_remove(request: HttpRequest, public_id: str) -> Status[None]:
    """Delete the item for good, with its files (its follow-ups stay, unlinked). Only the
    item's author and staff may."""
    item_delete(item=item_for_editor(request, public_id))
    return Status(204, None)


# --- tags ---------------------------------------------------------------------------------------


@router.get("/tags", response={200: TagPage, **LIST_ERRORS}, tags=["Tags"], summary="Find tags")
def tag_list(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="The start of a tag, any case.", examples=["qal"]),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> TagPage:
    """Tags starting with `q` (all tags without it) that carry at least one item you may
    see listed, alphabetically by key, each with that number of items."""
    visible = Item.objects.visible_to(api_viewer(request))
    counts = visible.filter(tag_links__tag=OuterRef("pk")).order_by().values("tag_links__tag").annotate(n=Count("pk"))
    qs = Tag.objects.annotate(items_count=Coalesce(Subquery(counts.values("n")), 0)).filter(items_count__gt=0)
    if key := normalize_key(q.replace("\x00", "")):
        qs = qs.filter(key__startswith=key)
    keys = (Key("key", descending=False), Key("pk", descending=False))
    rows, next_cursor = keyset_page(qs, keys, cursor=cursor, limit=limit, tag="tags")
    return TagPage(
        items=[
            TagOut(name=t.name, key=t.key, url=t.get_absolute_url(), items_count=t.items_count)  # type: ignore[attr-defined]
            for t in rows
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/tags/{key}/items",
    response={200: TagItemPage, **LIST_ERRORS, 404: ErrorOut},
    tags=["Tags"],
    summary="Items with a tag",
)
def tag_items(
    request: HttpRequest,
    key: str,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> TagItemPage:
    """The items you may see listed that carry the tag (its key, or any spelling of it),
    newest first, as on /tag/<key>."""
    tag = None
    if "\x00" not in key:
        tag = Tag.objects.filter(key=key).first() or Tag.objects.filter(key=normalize_key(key)).first()
    if tag is None:
        raise Http404("There is no tag with this key.")
    viewer = api_viewer(request)
    qs = _with_tags(Item.objects.visible_to(viewer).filter(tag_links__tag=tag))
    rows, next_cursor = keyset_page(qs, newest_first("added_at"), cursor=cursor, limit=limit, tag="tag-items")
    return TagItemPage(
        tag=TagRefOut(name=tag.name, key=tag.key, url=tag.get_absolute_url()),
        items=_page_cards(rows, viewer),
        next_cursor=next_cursor,
    )
