"""The video steps: the HLS ladder in one ffmpeg (playable once every rung has its first
segment where players fetch it: on object storage, published by hls_sync as ffmpeg writes), the
progressive MP4 remuxed from the top rung, the poster and the sprite."""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from fieldcast.core.metrics import transcode_observe
from fieldcast.media import paths
from fieldcast.media.ffmpeg import ffmpeg_run
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.media.probe import Probe

from . import hls_sync, ladder, previews
from .runs import M3U8, Run, refresh_item, rendition_save


@dataclass
class _LadderState:
    rungs: list[ladder.Rung]
    playable: bool = False
    sizes: dict[int, int] = field(default_factory=dict)


def _mark_playable(run: Run, state: _LadderState) -> None:
    """Renditions for the master and every rung, then `playable`: serving finds them by these rows."""
    asset, pid = run.asset, run.asset.public_id
    for rung in state.rungs:
        rendition_save(
            asset,
            rung.profile,
            paths.hls_rung_playlist(pid, rung.quality),
            M3U8,
            width=rung.width,
            height=rung.height,
            bitrate=rung.bitrate,
            size=state.sizes.get(rung.quality, 0),
        )
    top = state.rungs[-1]
    rendition_save(
        asset, "hls", paths.hls_master(pid), M3U8, width=top.width, height=top.height, size=sum(state.sizes.values())
    )
    if not asset.playable:
        run.update(playable=True)
        refresh_item(asset)
    state.playable = True


def _ladder_done(asset: MediaAsset, state: _LadderState, hls_local: Path) -> bool:
    """A finished ladder from an earlier attempt (that stopped later on): no need to encode again."""
    if not Rendition.objects.filter(asset=asset, profile="hls").exists():
        return False
    return (hls_local / paths.HLS_MASTER).exists() and all(
        ladder.playlist_is_final(hls_local / str(r.quality) / paths.HLS_RUNG_PLAYLIST) for r in state.rungs
    )


def _ladder(
    run: Run,
    state: _LadderState,
    probe: Probe,
    source: Path,
    hls_local: Path,
    publisher: hls_sync.LadderPublisher | None,
) -> None:
    """Encode the ladder into `hls_local`: storage itself on a local disk, else a folder that
    `publisher` uploads as it grows."""
    asset = run.asset
    if asset.playable:  # a stopped attempt's ladder is about to be deleted
        run.update(playable=False)
        refresh_item(asset)
    Rendition.objects.filter(asset=asset, profile__startswith="hls").delete()
    paths.delete_tree(paths.hls_dir(asset.public_id))
    shutil.rmtree(hls_local, ignore_errors=True)
    hls_local.mkdir(parents=True, exist_ok=True)

    def first_segments_out() -> bool:
        if publisher is None:
            return ladder.first_segments_ready(hls_local, state.rungs)
        return publisher.playable

    def on_progress(percent: float) -> None:
        run.progress(percent)
        if publisher is not None:
            publisher.sync_if_due()
        if not state.playable and first_segments_out():
            _mark_playable(run, state)

    ffmpeg_run(
        ladder.ladder_args(source, hls_local, probe, state.rungs), duration=probe.duration, on_progress=on_progress
    )
    for rung in state.rungs:
        ladder.playlist_finalise(hls_local / str(rung.quality) / paths.HLS_RUNG_PLAYLIST)
    if publisher is not None:
        publisher.sync()  # the whole ladder, VOD playlists included, before the MP4 and previews
        if not state.playable and publisher.playable:
            _mark_playable(run, state)


def video_process(run: Run, probe: Probe, source: Path) -> None:
    """Every video output, from the stored original at `source`."""
    asset, pid = run.asset, run.asset.public_id
    duration = probe.duration or 0.0
    state = _LadderState(rungs=ladder.ladder_plan(probe.width, probe.height, probe.fps))
    top = state.rungs[-1]
    hls_name = paths.hls_dir(pid)
    # On local disk ffmpeg writes straight into storage, so the first segments can be served
    # while it works; on remote storage a publisher uploads the ladder as it grows, and the
    # end of the block uploads only what it has not sent.
    published = paths.StoredFiles()
    started, encoded = time.monotonic(), False
    with (
        paths.local_output_dir(hls_name, already_stored=published) as hls_local,
        contextlib.ExitStack() as outputs,
    ):
        if not _ladder_done(asset, state, hls_local):
            run.step("transcode")
            publisher = None
            if paths.local_path(hls_name) is None:
                publisher = hls_sync.LadderPublisher(hls_local, hls_name, state.rungs, stored=published)
            _ladder(run, state, probe, source, hls_local, publisher)
            encoded = True
        for rung in state.rungs:
            state.sizes[rung.quality] = ladder.folder_size(hls_local / str(rung.quality))

        run.step("mp4")
        mp4 = outputs.enter_context(paths.local_output(paths.video_mp4(pid)))
        top_playlist = hls_local / str(top.quality) / paths.HLS_RUNG_PLAYLIST
        ffmpeg_run(ladder.remux_args(top_playlist, mp4), duration=duration, on_progress=run.progress)

        run.step("previews")
        poster = outputs.enter_context(paths.local_output(paths.poster(pid)))
        sheet = outputs.enter_context(paths.local_output(paths.sprite(pid)))
        vtt = outputs.enter_context(paths.local_output(paths.sprite_vtt(pid)))
        poster_w, poster_h = previews.poster_write(mp4, poster, duration)
        lowest = hls_local / str(state.rungs[0].quality) / paths.HLS_RUNG_PLAYLIST
        plan = previews.sprite_write(lowest, sheet, vtt, duration, on_progress=run.progress)
        mp4_size = mp4.stat().st_size
    # Every file is in storage now.
    _mark_playable(run, state)
    rendition_save(
        asset,
        "mp4",
        paths.video_mp4(pid),
        "video/mp4",
        width=top.width,
        height=top.height,
        bitrate=ladder.average_bitrate(mp4_size, probe.duration),
        size=mp4_size,
    )
    rendition_save(
        asset,
        "poster",
        paths.poster(pid),
        "image/jpeg",
        width=poster_w,
        height=poster_h,
        size=paths.stored_size(paths.poster(pid)),
    )
    rendition_save(
        asset,
        "sprite",
        paths.sprite(pid),
        "image/jpeg",
        width=plan.columns * plan.tile_width,
        height=plan.rows * plan.tile_height,
        size=paths.stored_size(paths.sprite(pid)),
    )
    rendition_save(
        asset, "sprite-vtt", paths.sprite_vtt(pid), "text/vtt", size=paths.stored_size(paths.sprite_vtt(pid))
    )
    if encoded:  # a run that found an earlier attempt's ladder did not transcode: no figure
        transcode_observe(wall_s=time.monotonic() - started, clip_s=duration)
