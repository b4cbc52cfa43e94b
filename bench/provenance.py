"""Provenance: recall on transformed copies, false matches between unrelated clips, the
cost of fingerprinting, and the time to match one upload against 100,000 stored fingerprints.

The test set is generated with ffmpeg: sources that move and differ (mandelbrot zooms at
different centres, life and cellauto with different seeds and rules, testsrc2 turned in hue,
geq patterns with varied parameters), two per clip mixed by overlay or blend, so no two
clips share content; smptebars and a flat colour as degenerate clips that must match
nothing. Every source gets nine copies: CRF 18 and 35, scaled to 480p and 240p, a 10% crop,
a drawbox overlay (a logo-sized box), 15 fps, a trimmed 30% segment, letterboxed.

The sources are fingerprinted and stored (Fingerprint + FrameHash, as the pipeline stores
them); each copy is then matched through the band index (`matching.find_matches`). Recall:
copies whose source is found. False matches: (copy, other source) pairs and unrelated
clips that matched anything. Then BENCH_PROVENANCE_STORED (100,000) synthetic fingerprints
(30 indexed frames on average) are written with COPY and the copies are matched again:
the match time for one upload.

Runs under `make bench` (bench/run.py provenance) on the scratch PostgreSQL database, in a
child process with the app's settings. Settings: BENCH_PROVENANCE_SOURCES (16),
BENCH_PROVENANCE_SECONDS (8), BENCH_PROVENANCE_STORED (100000), BENCH_PROVENANCE_DIR
(a folder to keep the generated clips between runs).
"""

# ruff: noqa: E501  (filter graphs and report lines read better whole)

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "provenance (fingerprint recall, false matches, cost, match time at 100k)"
W, H, FPS = 480, 270, 25
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
TRANSFORMS = {
    "crf18": ["-crf", "18"],
    "crf35": ["-crf", "35"],
    "480p": ["-vf", "scale=-2:480", "-crf", "26"],
    "240p": ["-vf", "scale=-2:240", "-crf", "28"],
    "crop10": ["-vf", "crop=iw*0.9:ih*0.9,scale=trunc(iw/2)*2:trunc(ih/2)*2", "-crf", "26"],
    "overlay": ["-vf", "drawbox=x=iw*0.04:y=ih*0.04:w=iw*0.25:h=ih*0.12:color=red@0.8:t=fill", "-crf", "26"],
    "fps15": ["-vf", "fps=15", "-crf", "26"],
    "letterbox": ["-vf", "scale=iw:trunc(ih*0.75/2)*2,pad=iw:trunc(ih/0.75/2)*2:0:(oh-ih)/2:black", "-crf", "26"],
}
DEGENERATE = {"bars": "smptebars=", "flat": "color=c=0x336699:"}


def _primitive(rng: random.Random, kind: str) -> str:
    s = f"s={W}x{H}:r={FPS}"
    if kind == "mandelbrot":
        x, y = rng.uniform(-1.5, 0.3), rng.uniform(-0.8, 0.8)
        return f"mandelbrot={s}:start_x={x}:start_y={y}:start_scale={rng.uniform(1, 3)}:end_scale={rng.uniform(0.01, 0.3)}:end_pts=400"
    if kind == "life":
        return (
            f"life={s}:seed={rng.randrange(1 << 30)}:ratio={rng.uniform(0.1, 0.6):.2f}:mold={rng.randrange(40)}"
            f":life_color=#{rng.randrange(1 << 24):06x}:mold_color=#{rng.randrange(1 << 24):06x},format=yuv420p"
        )
    if kind == "cellauto":
        rule = rng.choice([18, 22, 30, 45, 60, 90, 105, 110, 126, 150])
        return f"cellauto={s}:rule={rule}:seed={rng.randrange(1 << 30)}:random_fill_ratio={rng.uniform(0.2, 0.8):.2f},format=yuv420p"
    if kind == "testsrc2":
        return f"testsrc2={s},hue=h={rng.randrange(360)}"
    a, b, c = rng.uniform(3, 30), rng.uniform(3, 30), rng.uniform(0.3, 3)
    return (
        f"nullsrc={s},geq=lum='128+90*sin(X/{a:.2f}+T*{c:.2f})*cos(Y/{b:.2f}-T*{c / 2:.2f})':"
        f"cb='128+60*sin((X+Y)/{b:.2f}+T)':cr='128+60*cos(X/{a:.2f}-T*{c:.2f})'"
    )


def _source_graph(seed: int) -> str:
    """Two primitives mixed. testsrc2 has the same layout whatever its hue (and grayscale is
    what is hashed), so it is only ever the inset of an overlay, never a full-frame layer."""
    rng = random.Random(seed)
    a, b = rng.sample(["mandelbrot", "life", "cellauto", "testsrc2", "geq"], 2)
    if a == "testsrc2":
        a, b = b, a
    first, second = _primitive(rng, a), _primitive(rng, b)
    if b == "testsrc2" or rng.random() < 0.5:
        sw, sh = W // 4 * 2, H // 4 * 2
        x, y = rng.randrange(0, W - sw), rng.randrange(0, H - sh)
        return f"{first}[a];{second},scale={sw}:{sh}[b];[a][b]overlay=x={x}:y={y},format=yuv420p"
    mode = rng.choice(["average", "screen"])  # multiply and difference can leave a flat picture
    return f"{first},format=yuv420p[a];{second},format=yuv420p[b];[a][b]blend=all_mode={mode},format=yuv420p"


def _ffmpeg(binary: str, args: list[str], out: Path) -> None:
    if out.exists():
        return
    partial = out.with_name(f".{out.name}")
    subprocess.run([binary, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args, str(partial)], check=True)
    partial.replace(out)


def _generate(folder: Path, sources: int, seconds: float, binary: str) -> dict[str, list[tuple[str, Path]]]:
    """{source name: [(transform, path), ...]}, plus the unrelated clips under "unrelated"."""
    from fieldcast.provenance.fingerprint import fingerprint_file
    from fieldcast.provenance.matching import kept_positions

    rng = random.Random(7)
    made: dict[str, list[tuple[str, Path]]] = {}
    seed = 1000
    for index in range(sources):
        name = f"s{index:03d}"
        src = folder / f"{name}.mp4"
        while not src.exists():  # a source must move: one that is mostly flat or still is not footage
            _ffmpeg(binary, ["-filter_complex", _source_graph(seed), "-t", str(seconds), *ENCODE, "-crf", "20"], src)
            seed += 1
            hashes = fingerprint_file(src).hashes
            if len(kept_positions(hashes)) < len(hashes) // 2:
                src.unlink()
        copies = []
        for label, args in TRANSFORMS.items():
            out = folder / f"{name}-{label}.mp4"
            _ffmpeg(binary, ["-i", str(src), *ENCODE, *args], out)
            copies.append((label, out))
        out = folder / f"{name}-trim30.mp4"
        start = rng.uniform(0, seconds * 0.7)
        _ffmpeg(
            binary, ["-ss", f"{start:.3f}", "-i", str(src), "-t", f"{seconds * 0.3:.3f}", *ENCODE, "-crf", "26"], out
        )
        copies.append(("trim30", out))
        made[name] = [("source", src), *copies]
    unrelated = []
    for index in range(max(4, sources // 4)):  # never stored: clips from other seeds
        out = folder / f"u{index:03d}.mp4"
        _ffmpeg(
            binary, ["-filter_complex", _source_graph(50000 + index), "-t", str(seconds), *ENCODE, "-crf", "23"], out
        )
        unrelated.append((f"unrelated-{index}", out))
    for label, graph in DEGENERATE.items():
        out = folder / f"{label}.mp4"
        _ffmpeg(binary, ["-f", "lavfi", "-i", f"{graph}s={W}x{H}:r={FPS}:d={seconds}", *ENCODE], out)
        unrelated.append((label, out))
    made["unrelated"] = unrelated
    return made


def _bulk_fingerprints(count: int) -> int:
    """`count` synthetic stored fingerprints (assets without items) and their indexed frames,
    written with COPY. Returns the number of FrameHash rows."""
    from django.db import connection

    from fieldcast.core.ids import new_public_id
    from fieldcast.media.models import MediaAsset
    from fieldcast.provenance.bands import band_keys, to_signed
    from fieldcast.provenance.models import Fingerprint

    rng = random.Random(42)
    rows = 0
    batch = 5000
    for start in range(0, count, batch):
        assets = MediaAsset.objects.bulk_create(
            [
                MediaAsset(
                    public_id=new_public_id(), kind="video", status="ready", duration=30.0, original_name="bench.mp4"
                )
                for _ in range(min(batch, count - start))
            ]
        )
        fingerprints = Fingerprint.objects.bulk_create(
            [
                Fingerprint(asset=a, algorithm=0, sample_fps=4, frames=0, informative=0, hashes=b"", flat=b"")
                for a in assets
            ]
        )
        with connection.cursor() as cursor:
            columns = "fingerprint_id, position, hash, " + ", ".join(f"b{i}" for i in range(8))
            with cursor.connection.cursor().copy(f"COPY provenance_framehash ({columns}) FROM STDIN") as copy:
                for fingerprint in fingerprints:
                    for position in range(rng.randint(10, 50)):
                        value = rng.getrandbits(64)
                        copy.write_row((fingerprint.pk, position * 2, to_signed(value), *band_keys(value)))
                        rows += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE provenance_framehash")
        cursor.execute("ANALYZE provenance_fingerprint")
    return rows


def inner() -> int:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    from fieldcast.media.ffmpeg import ffmpeg_binary
    from fieldcast.media.models import MediaAsset
    from fieldcast.provenance import bands, matching
    from fieldcast.provenance.fingerprint import fingerprint_file, hamming
    from fieldcast.provenance.services import fingerprint_save

    sources = int(os.environ.get("BENCH_PROVENANCE_SOURCES", "16"))
    seconds = float(os.environ.get("BENCH_PROVENANCE_SECONDS", "8"))
    stored_count = int(os.environ.get("BENCH_PROVENANCE_STORED", "100000"))
    folder = Path(os.environ.get("BENCH_PROVENANCE_DIR") or tempfile.mkdtemp(prefix="fieldcast-provenance-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    clips = _generate(folder, sources, seconds, ffmpeg_binary())
    print(f"test set: {sources} sources of {seconds:.0f} s at {W}x{H}, {len(TRANSFORMS) + 1} copies each, "
          f"{len(clips['unrelated'])} unrelated clips; generated in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip

    hashes: dict[str, list[int | None]] = {}
    spent = clip_seconds = 0.0
    for group in clips.values():
        for _label, path in group:
            t0 = time.perf_counter()
            data = fingerprint_file(path)
            spent += time.perf_counter() - t0
            clip_seconds += data.duration
            hashes[str(path)] = data.hashes
    print(f"fingerprint cost: {spent / clip_seconds * 1000:.1f} ms per clip second "
          f"({clip_seconds:.0f} clip seconds at {W}x{H} and below, one process)", flush=True)  # fmt: skip

    stored: dict[int, str] = {}
    for name, group in clips.items():
        if name == "unrelated":
            continue
        asset = MediaAsset.objects.create(kind="video", status="ready", duration=seconds, original_name=f"{name}.mp4")
        from fieldcast.provenance.fingerprint import Fingerprint as Data

        fingerprint = fingerprint_save(asset=asset, data=Data(hashes=hashes[str(group[0][1])]), seconds=0)
        stored[fingerprint.pk] = name

    # Which band layouts keep a transformed frame in a shared band (same instants, source vs copy).
    layouts = {
        "8 disjoint 8-bit": tuple(tuple(range(i * 8, i * 8 + 8)) for i in range(8)),
        "4 disjoint 16-bit": tuple(tuple(range(i * 16, i * 16 + 16)) for i in range(4)),
        f"{bands.BANDS} random {bands.BAND_BITS}-bit (used)": bands.layout(),
    }
    print("\nframes of a copy sharing a band with the source's frame at the same instant:")
    for title, layout in layouts.items():
        shares: dict[str, list[int]] = {}
        for name, group in clips.items():
            if name == "unrelated":
                continue
            source = hashes[str(group[0][1])]
            for label, path in group[1:]:
                if label == "trim30":
                    continue
                for a, b in zip(source, hashes[str(path)], strict=False):
                    if a is not None and b is not None:
                        hit = bool(
                            set(enumerate(bands.band_keys(a, layout))) & set(enumerate(bands.band_keys(b, layout)))
                        )
                        shares.setdefault(label, []).append(hit)
        print(f"  {title:28s} " + " ".join(f"{k} {sum(v) / len(v):.0%}" for k, v in shares.items()))
    distances = [
        hamming(a, b)
        for name, group in clips.items() if name != "unrelated"
        for label, path in group[1:] if label != "trim30"
        for a, b in zip(hashes[str(group[0][1])], hashes[str(path)], strict=False)
        if a is not None and b is not None
    ]  # fmt: skip
    print(f"  Hamming distance copy vs source, same instant: median {statistics.median(distances)}, "
          f"p95 {sorted(distances)[int(len(distances) * 0.95)]} (match threshold {matching.FRAME_MAX_DISTANCE})")  # fmt: skip

    def evaluate() -> tuple[dict[str, list[bool]], int, int, int, list[float]]:
        recall: dict[str, list[bool]] = {}
        false_pairs = pairs = unrelated_false = 0
        times = []
        for name, group in clips.items():
            for label, path in group[1:] if name != "unrelated" else group:
                t0 = time.perf_counter()
                found = matching.find_matches(hashes[str(path)])
                times.append(time.perf_counter() - t0)
                names = {stored.get(m.fingerprint_id) for m in found}
                if name == "unrelated":
                    unrelated_false += bool(names - {None}) or bool(found)
                    continue
                recall.setdefault(label, []).append(name in names)
                pairs += len(stored) - 1
                false_pairs += sum(1 for m in found if stored.get(m.fingerprint_id) != name)
        return recall, false_pairs, pairs, unrelated_false, times

    recall, false_pairs, pairs, unrelated_false, _ = evaluate()
    total = [hit for hits in recall.values() for hit in hits]
    print(f"\nrecall on transformed copies: {sum(total)}/{len(total)} = {sum(total) / len(total):.1%} (aim >= 95%)")
    print("  " + " ".join(f"{k} {sum(v)}/{len(v)}" for k, v in recall.items()))
    print(f"false matches: {false_pairs} of {pairs} (copy, other source) pairs = {false_pairs / max(1, pairs):.2%}; "
          f"unrelated or degenerate clips that matched anything: {unrelated_false}/{len(clips['unrelated'])} (aim <= 1%)")  # fmt: skip

    t0 = time.perf_counter()
    rows = _bulk_fingerprints(stored_count)
    print(f"\nstored {stored_count} synthetic fingerprints ({rows} indexed frames) in {time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
    recall2, false2, _, unrelated2, times = evaluate()
    times_ms = sorted(t * 1000 for t in times)
    total2 = [hit for hits in recall2.values() for hit in hits]
    print(f"match time for one upload against {stored_count + len(stored)} stored fingerprints "
          f"({connection.vendor}): median {statistics.median(times_ms):.0f} ms, p95 {times_ms[int(len(times_ms) * 0.95)]:.0f} ms, "
          f"max {times_ms[-1]:.0f} ms over {len(times_ms)} uploads (aim <= 200 ms)")  # fmt: skip
    print(
        f"  recall at that scale {sum(total2) / len(total2):.1%}, false pairs {false2}, unrelated matched {unrelated2}"
    )
    return 0


def run(app) -> bool:  # type: ignore[no-untyped-def]
    env = {**app.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, __file__, "--inner"], cwd=ROOT, env=env, check=False)
    return result.returncode == 0


if __name__ == "__main__":
    if "--inner" in sys.argv:
        sys.exit(inner())
    print("Run it through bench/run.py provenance (it needs the scratch database).", file=sys.stderr)
    sys.exit(2)
