"""The video steps: the HLS ladder in one ffmpeg (playable once every rung has its first
segment), the progressive MP4 remuxed from the top rung, the poster and the sprite."""

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

from . import ladder, previews
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


def _ladder(run: Run, state: _LadderState, probe: Probe, source: Path, hls_local: Path, watch: bool) -> None:
    asset = run.asset
    if asset.playable:  # a stopped attempt's ladder is about to be deleted
        run.update(playable=False)
        refresh_item(asset)
    Rendition.objects.filter(asset=asset, profile__startswith="hls").delete()
    paths.delete_tree(paths.hls_dir(asset.public_id))
    shutil.rmtree(hls_local, ignore_errors=True)
    hls_local.mkdir(parents=True, exist_ok=True)

    def on_progress(percent: float) -> None:
        run.progress(percent)
        if watch and not state.playable and ladder.first_segments_ready(hls_local, state.rungs):
            _mark_playable(run, state)

    ffmpeg_run(
        ladder.ladder_args(source, hls_local, probe, state.rungs), duration=probe.duration, on_progress=on_progress
    )
    for rung in state.rungs:
        ladder.playlist_finalise(hls_local / str(rung.quality) / paths.HLS_RUNG_PLAYLIST)


def video_process(run: Run, probe: Probe, source: Path) -> None:
    """Every video output, from the stored original at `source`."""
    asset, pid = run.asset, run.asset.public_id
    duration = probe.duration or 0.0
    state = _LadderState(rungs=ladder.ladder_plan(probe.width, probe.height, probe.fps))
    top = state.rungs[-1]
    hls_name = paths.hls_dir(pid)
    # On local disk ffmpeg writes straight into storage, so the first segments can be served
    # while it works; on remote storage the ladder is uploaded when it is complete.
    watch = paths.local_path(hls_name) is not None
    started, encoded = time.monotonic(), False
    with paths.local_output_dir(hls_name) as hls_local, contextlib.ExitStack() as outputs:
        if not _ladder_done(asset, state, hls_local):
            run.step("transcode")
            _ladder(run, state, probe, source, hls_local, watch)
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
