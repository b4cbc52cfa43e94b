"""Provenance reads: an item's panel, the upload notice, clusters for moderators, and who
may set a verification status. Every other item named goes through the access layer:
`Item.objects.visible_to(viewer)` decides what may be linked; a copy the viewer may not
list (private, unlisted, removed, held, unfinished) is only counted ("an earlier copy
exists"), never named."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q

from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset

from .models import CopyMatch, FileMetadata, Verification, VerificationChange, VerificationStatus


@dataclass
class Copy:
    item: Item | None  # None when the viewer may not list it
    added_at: Any
    kind: str
    ranges: tuple[float, float, float, float]  # in this item, then in the other


@dataclass
class Panel:
    verification: Verification | None
    history: list[VerificationChange]
    earliest: Copy | None  # None: this item is the earliest known copy
    hidden_earlier: int  # earlier copies the viewer may not see
    also: list[Copy] = field(default_factory=list)
    hidden_later: int = 0
    metadata: list[FileMetadata] = field(default_factory=list)
    fingerprinted: bool = False

    @property
    def status(self) -> str:
        return self.verification.status if self.verification else VerificationStatus.UNVERIFIED

    @property
    def status_label(self) -> str:
        return VerificationStatus(self.status).label


def _copies_of(asset_ids: list[int]) -> list[tuple[int, CopyMatch, bool]]:
    """(other asset id, match, this side is the later one) for every match of these assets."""
    result = []
    for match in CopyMatch.objects.filter(Q(asset_id__in=asset_ids) | Q(earlier_id__in=asset_ids)):
        if match.asset_id in asset_ids and match.earlier_id not in asset_ids:
            result.append((match.earlier_id, match, True))
        elif match.earlier_id in asset_ids and match.asset_id not in asset_ids:
            result.append((match.asset_id, match, False))
    return result


def item_provenance(item: Item, viewer: Any) -> Panel:
    """What the item page's Provenance panel shows (a fixed number of queries)."""
    asset_ids = list(MediaAsset.objects.filter(item_id=item.pk).values_list("pk", flat=True))
    verification = Verification.objects.filter(item_id=item.pk).select_related("updated_by").first()
    history = list(
        VerificationChange.objects.filter(item_id=item.pk).select_related("changed_by").order_by("-created_at")[:10]
    )
    panel = Panel(verification=verification, history=history, earliest=None, hidden_earlier=0)
    if not asset_ids:
        return panel
    panel.metadata = [m for m in FileMetadata.objects.filter(asset_id__in=asset_ids, published=True) if not m.is_empty]
    from .models import Fingerprint

    panel.fingerprinted = Fingerprint.objects.filter(asset_id__in=asset_ids).exists()
    copies = _copies_of(asset_ids)
    other_items = dict(
        MediaAsset.objects.filter(pk__in={other for other, _, _ in copies}, item__isnull=False)
        .exclude(item_id=item.pk)
        .values_list("pk", "item_id")
    )
    visible = {
        i.pk: i
        for i in Item.objects.visible_to(viewer).filter(pk__in=set(other_items.values())).select_related("author")
    }
    added = dict(Item.objects.filter(pk__in=set(other_items.values())).values_list("pk", "added_at"))
    best: dict[int, Copy] = {}
    for other_asset, match, this_is_later in copies:
        other_item_id = other_items.get(other_asset)
        if other_item_id is None:
            continue
        if this_is_later:
            ranges = (match.start, match.end, match.earlier_start, match.earlier_end)
        else:
            ranges = (match.earlier_start, match.earlier_end, match.start, match.end)
        copy = Copy(item=visible.get(other_item_id), added_at=added.get(other_item_id), kind=match.kind, ranges=ranges)
        if other_item_id not in best or (ranges[1] - ranges[0]) > (
            best[other_item_id].ranges[1] - best[other_item_id].ranges[0]
        ):
            best[other_item_id] = copy
    earlier = [c for c in best.values() if c.added_at is not None and c.added_at < item.added_at]
    later = [c for c in best.values() if c not in earlier]
    earlier.sort(key=lambda c: c.added_at)
    panel.hidden_earlier = sum(1 for c in earlier if c.item is None)
    shown_earlier = [c for c in earlier if c.item is not None]
    if earlier and earlier[0].item is not None:
        panel.earliest = earlier[0]
    panel.also = [c for c in shown_earlier if c is not panel.earliest] + [c for c in later if c.item is not None]
    panel.hidden_later = sum(1 for c in later if c.item is None)
    return panel


@dataclass
class UploadNotice:
    asset: MediaAsset
    done: bool  # provenance ran for this file
    earlier: list[Copy]
    hidden: int  # earlier copies the viewer may not see
    metadata: FileMetadata | None


def upload_notices(owner: Any, viewer: Any, asset_ids: list[int]) -> list[UploadNotice]:
    """For the uploader's own files (not yet published, or on their item): the earlier copies
    of each and what each file says, for the upload form."""
    assets = list(MediaAsset.objects.filter(pk__in=asset_ids, owner_id=owner.pk).order_by("pk")[:20])
    if not assets:
        return []
    ids = [a.pk for a in assets]
    metadata = {m.asset_id: m for m in FileMetadata.objects.filter(asset_id__in=ids)}
    copies = [(other, match, later) for other, match, later in _copies_of(ids) if later]
    other_items = dict(
        MediaAsset.objects.filter(pk__in={o for o, _, _ in copies}, item__isnull=False).values_list("pk", "item_id")
    )
    visible = {
        i.pk: i
        for i in Item.objects.visible_to(viewer).filter(pk__in=set(other_items.values())).select_related("author")
    }
    notices = []
    for asset in assets:
        earlier: dict[int, Copy] = {}
        hidden: set[int] = set()
        for other, match, _ in copies:
            if match.asset_id != asset.pk or (item_id := other_items.get(other)) is None:
                continue
            if asset.item_id is not None and item_id == asset.item_id:
                continue
            if item_id in visible:
                ranges = (match.start, match.end, match.earlier_start, match.earlier_end)
                earlier.setdefault(item_id, Copy(visible[item_id], visible[item_id].added_at, match.kind, ranges))
            else:
                hidden.add(item_id)
        done = asset.status in (MediaAsset.Status.READY, MediaAsset.Status.FAILED) or asset.pk in metadata
        notices.append(
            UploadNotice(
                asset=asset,
                done=done,
                earlier=sorted(earlier.values(), key=lambda c: c.added_at),
                hidden=len(hidden),
                metadata=metadata.get(asset.pk),
            )
        )
    return notices


def filter_by_verification(qs: Any, status: str) -> Any:
    """Items with this verification status (search's filter); "unverified" includes items
    nobody has reviewed (no Verification row)."""
    if status == VerificationStatus.UNVERIFIED:
        return qs.exclude(verification__status__in=[s for s in VerificationStatus.values if s != status])
    return qs.filter(verification__status=status)


def may_verify(user: Any) -> tuple[bool, bool]:
    """(may set a verification status, does so as a moderator): moderators and trusted members."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False, False
    from fieldcast.moderation.permissions import can_moderate

    if can_moderate(user):
        return True, True
    from fieldcast.moderation.selectors import user_is_trusted

    return user_is_trusted(user), False


@dataclass
class Cluster:
    items: list[Item]
    matches: int


def copy_clusters(viewer: Any, *, limit: int = 50) -> list[Cluster]:
    """Groups of items that share footage (connected through CopyMatch), biggest first, for
    moderators (who may open every item: `openable_by`)."""
    pairs = list(
        CopyMatch.objects.filter(asset__item__isnull=False, earlier__item__isnull=False)
        .exclude(asset__item=F("earlier__item"))
        .values_list("asset__item_id", "earlier__item_id")[:20000]
    )
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    counts: dict[int, int] = defaultdict(int)
    for a, b in pairs:
        parent[find(a)] = find(b)
    for a, _ in pairs:
        counts[find(a)] += 1
    groups: dict[int, list[int]] = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)
    ranked = sorted(groups.items(), key=lambda g: (-len(g[1]), -max(g[1])))[:limit]
    wanted = {pk for _, members in ranked for pk in members}
    items = {i.pk: i for i in Item.objects.openable_by(viewer).filter(pk__in=wanted).select_related("author")}
    clusters = []
    for root, members in ranked:
        shown = sorted((items[pk] for pk in members if pk in items), key=lambda i: (i.added_at, i.pk))
        if len(shown) > 1:
            clusters.append(Cluster(items=shown, matches=counts[root]))
    return clusters
