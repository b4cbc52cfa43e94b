"""The discovery benchmark's data: items generated set-based in SQL (generate_series with a
seeded random(), several languages from fixed word lists, tags, places, channels, counters,
added and occurred dates), then their search documents and weighted tsvectors in one
INSERT ... SELECT with the GIN (and, where it exists, RUM) index built afterwards, as
search.search_index_item would have written them one by one. bench/discovery.py measures.

What the words are: "video" is in ~90% of the items (a very common word), "the" in ~20% (the
English ones), "protest" in ~17%, "دمشق" in ~19% (the Arabic ones), the phrase "air strike"
in ~3%, "zeppelin" in ~2 per 10,000 (rare); "eyewitness" (~2%) is only ever a tag: a tag
match without the word in the text.
"""

# ruff: noqa: S608  (the SQL is built from constants and integers of this module, no input)

from __future__ import annotations

import time

import psycopg
from _harness import App, BenchError

from fieldcast.discovery import rum

SEED = 0.42

# Words per language. The title and body of an item come from its language's list.
WORDS = {
    "en": (
        "the the the of in and to a on at after before near police army convoy bridge market "
        "school hospital fire flood storm crowd protest march shelling drone tank checkpoint "
        "border river road night morning city village square station airport port factory "
        "evacuation rescue collapse explosion smoke rain snow wind river street building car"
    ),
    "ar": (
        "في من على إلى بعد قبل قرب الشرطة الجيش قافلة جسر سوق مدرسة مستشفى حريق فيضان عاصفة "
        "حشد مظاهرة قصف دبابة حاجز حدود نهر طريق ليل صباح مدينة قرية ساحة محطة مطار ميناء "
        "مصنع إخلاء إنقاذ انهيار انفجار دخان مطر ثلج دمشق حلب حمص"
    ),
    "uk": (
        "в на до після перед біля поліція армія колона міст ринок школа лікарня пожежа повінь "
        "буря натовп протест обстріл дрон танк блокпост кордон річка дорога ніч ранок місто "
        "село площа вокзал аеропорт порт завод евакуація рятування обвал вибух дим дощ сніг"
    ),
    "es": (
        "el la los las de en y a tras antes cerca policía ejército convoy puente mercado "
        "escuela hospital incendio inundación tormenta multitud protesta marcha dron tanque "
        "frontera río camino noche mañana ciudad pueblo plaza estación aeropuerto puerto "
        "fábrica evacuación rescate derrumbe explosión humo lluvia nieve terremoto"
    ),
    "fr": (
        "le la les de en et à après avant près police armée convoi pont marché école hôpital "
        "incendie inondation tempête foule manifestation marche drone char frontière rivière "
        "route nuit matin ville village place gare aéroport port usine évacuation sauvetage "
        "effondrement explosion fumée pluie neige"
    ),
}
TAG_WORDS = " ".join(
    (
        "kharkiv kyiv aleppo homs damascus santiago houston tripoli beirut gaza protests flood earthquake",
        "wildfire storm police army drone shelling evacuation rescue accident traffic election strike",
        "border refugees hospital bridge convoy airport port factory school",
    )
).split()
N_TAGS = 1000


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]::text[]"


def _generate_sql(first: int, count: int, total: int, after_id: int, authors: list[int]) -> list[str]:
    """Statements that add items number `first` to `first + count - 1` (of `total`, numbered
    oldest first) and what they link to; the new rows have ids above `after_id`."""
    langs = list(WORDS)
    vocab = {lang: WORDS[lang].split() for lang in langs}

    def words(n_expr: str) -> str:
        cases = " ".join(
            f"WHEN {k} THEN (SELECT string_agg(({_sql_array(vocab[lang])})"
            f"[1 + floor(random() * {len(vocab[lang])})::int], ' ') "
            f"FROM generate_series(1, {n_expr}) WHERE g.i > 0)"
            for k, lang in enumerate(langs)
        )
        return f"CASE g.i % {len(langs)} {cases} END"

    authors_arr = "ARRAY[" + ",".join(str(a) for a in authors) + "]::bigint[]"
    return [
        f"SELECT setseed({SEED})",
        # The items: newer ids are newer items (added_at grows with i), over about three years.
        f"""
        INSERT INTO items_item (
            public_id, slug, title, body, body_html, lifecycle, failure_reason, visibility, moderation,
            moderation_reason, rating, added_at, updated_at, occurred_on, occurred_precision, occurred_tz,
            source, location_label, plays_count, embed_plays_count, views_count, comments_count, vote_score,
            favorites_count, shares_count, updates_count, channels_count, author_id, place_id, embeddable,
            comments_locked, comments_min_days, comments_mode, content_flags, content_warning
        )
        SELECT
            'B' || lpad(g.i::text, 9, '0'), 'bench-' || g.i, t.title, t.body, '<p>' || t.body || '</p>',
            'ready', '', CASE WHEN r1 < 0.04 THEN 'unlisted' WHEN r1 < 0.05 THEN 'private' ELSE 'public' END,
            CASE WHEN r2 < 0.02 THEN 'removed' ELSE 'ok' END, '',
            CASE WHEN r3 < 0.7 THEN 'GA' WHEN r3 < 0.9 THEN 'PG' ELSE 'MA' END,
            t.added_at, t.added_at,
            CASE WHEN r4 < 0.1 THEN NULL ELSE (t.added_at - (floor(r4 * 20) || ' days')::interval)::date END,
            CASE WHEN r4 < 0.1 THEN 'unknown' ELSE 'day' END, '', '',
            coalesce(p.name, ''), floor(power(random(), 4) * 200000)::bigint, 0,
            floor(power(random(), 4) * 400000)::bigint, floor(power(random(), 3) * 300)::int,
            floor(power(random(), 3) * 500)::int - 20, floor(power(random(), 4) * 100)::int,
            floor(power(random(), 4) * 50)::int, 0, 0,
            ({authors_arr})[1 + g.i % {len(authors)}], p.id, true, false, 0, 'open', '[]'::jsonb, ''
        FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
              FROM generate_series({first}, {first + count - 1}) AS i) AS g
        CROSS JOIN LATERAL (
            SELECT
                initcap({words("4 + floor(random() * 5)::int")})
                    || CASE WHEN g.i % 9973 = 7 THEN ' zeppelin' ELSE '' END AS title,
                {words("40 + floor(random() * 80)::int")}
                    || CASE WHEN random() < 0.9 THEN ' video' ELSE '' END
                    || CASE WHEN random() < 0.03 THEN ' air strike' ELSE '' END
                    || CASE WHEN g.i % 7919 = 11 THEN ' zeppelin' ELSE '' END AS body,
                now() - ((({total} - g.i)::float / {max(total, 1)}) * interval '1095 days')
                    - random() * interval '1 hour' AS added_at
        ) AS t
        LEFT JOIN LATERAL (
            SELECT id, name FROM geo_place WHERE g.r5 < 0.7 ORDER BY id OFFSET (g.i % 16) LIMIT 1
        ) AS p ON true
        ORDER BY g.i
        """,
        # Tags: TAG_WORDS plus numbered series; three distinct tags per item, skewed to the first ones.
        f"""
        INSERT INTO items_tag (name, key)
        SELECT n, n FROM (
            SELECT unnest({_sql_array(TAG_WORDS)}) AS n
            UNION SELECT 'eyewitness'
            UNION SELECT 'series' || s FROM generate_series(1, {N_TAGS}) AS s
        ) AS x
        ON CONFLICT (key) DO NOTHING
        """,
        f"""
        INSERT INTO items_itemtag (item_id, tag_id, position)
        SELECT DISTINCT ON (it.id, tg.id) it.id, tg.id, k
        FROM (SELECT id, floor(power(random(), 3) * {N_TAGS})::int AS base FROM items_item
              WHERE id > {after_id}) AS it
        CROSS JOIN generate_series(0, 2) AS k
        JOIN LATERAL (
            SELECT id FROM items_tag ORDER BY id OFFSET ((it.base + k * 331) % {N_TAGS}) LIMIT 1
        ) AS tg ON true
        ON CONFLICT DO NOTHING
        """,
        f"""
        INSERT INTO items_itemtag (item_id, tag_id, position)
        SELECT i.id, (SELECT id FROM items_tag WHERE key = 'eyewitness'), 9
        FROM items_item i WHERE i.id > {after_id} AND i.id % 50 = 3
        ON CONFLICT DO NOTHING
        """,
        # A third of the items filed in one of the topic channels.
        f"""
        INSERT INTO fcchannels_channelitem (channel_id, item_id, added_at)
        SELECT (SELECT array_agg(id ORDER BY id) FROM fcchannels_channel WHERE kind = 'topic')[
                   1 + i.id % (SELECT count(*) FROM fcchannels_channel WHERE kind = 'topic')],
               i.id, i.added_at
        FROM items_item i
        WHERE i.id > {after_id} AND i.id % 3 = 0
        """,
        f"UPDATE items_item SET channels_count = 1 WHERE id > {after_id} AND id % 3 = 0",
    ]


# The search documents, as search.search_index_item writes them, for every item without one.
INDEX_SQL = [
    "DROP INDEX IF EXISTS discovery_search_vector_gin",
    """
    INSERT INTO discovery_searchdocument (item_id, title, tags, channels, places, body, indexed_at)
    SELECT i.id, i.title,
           coalesce((SELECT string_agg(t.name, ' ' ORDER BY it.position) FROM items_itemtag it
                     JOIN items_tag t ON t.id = it.tag_id WHERE it.item_id = i.id), ''),
           coalesce((SELECT string_agg(c.name, ' ' ORDER BY c.name) FROM fcchannels_channelitem ci
                     JOIN fcchannels_channel c ON c.id = ci.channel_id WHERE ci.item_id = i.id), ''),
           concat_ws(' ', nullif(i.location_label, ''),
                     CASE WHEN p.name IS DISTINCT FROM i.location_label THEN p.name END,
                     CASE WHEN p.country_name <> p.name THEN p.country_name END),
           i.body, now()
    FROM items_item i LEFT JOIN geo_place p ON p.id = i.place_id
    WHERE NOT EXISTS (SELECT 1 FROM discovery_searchdocument d WHERE d.item_id = i.id)
    """,
    """
    UPDATE discovery_searchdocument SET vector =
        setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(tags, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(channels, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(places, '')), 'C')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'D')
    WHERE vector IS NULL
    """,
    "CREATE INDEX discovery_search_vector_gin ON discovery_searchdocument USING gin (vector)",
]


def generate(app: App, count: int) -> None:
    """Add `count` items in batches of 100,000 and index them; VACUUM ANALYZE at the end."""
    started = time.perf_counter()
    with psycopg.connect(app.database_url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        authors = [r[0] for r in conn.execute("SELECT id FROM accounts_user ORDER BY id").fetchall()]
        if not authors:
            raise BenchError("the demo content has no members to author the generated items")
        # A database kept from an earlier run (BENCH_KEEP_DB=1) already holds them.
        done = conn.execute("SELECT count(*) FROM items_item WHERE slug LIKE 'bench-%%'").fetchone()[0]  # type: ignore[index]
        if done >= count:
            print(f"  {done:,} generated items are already there (BENCH_KEEP_DB)")
            return
        while done < count:
            batch = min(100_000, count - done)
            if done:
                conn.execute("ANALYZE")  # the next batch's tag and channel links join the new items
            with conn.transaction():
                after_id = conn.execute("SELECT coalesce(max(id), 0) FROM items_item").fetchone()[0]  # type: ignore[index]
                for statement in _generate_sql(done + 1, batch, count, int(after_id), authors):
                    conn.execute(statement)  # type: ignore[arg-type]
            done += batch
            print(f"  {done:,} items written ({time.perf_counter() - started:.0f} s)", flush=True)
        generated = time.perf_counter()
        # Fresh statistics first: planned on the empty tables' estimates, the per-item subqueries
        # that gather tags and channels would scan whole tables for every item.
        conn.execute("ANALYZE")
        # The optional RUM index (made by the migrations where the extension exists) is built
        # again after the documents too, like the GIN index.
        had_rum = has_rum_index(conn)
        for statement in [rum.DROP_SQL, *INDEX_SQL]:
            conn.execute(statement)  # type: ignore[arg-type]
        if had_rum:
            conn.execute(rum.CREATE_SQL)  # type: ignore[arg-type]
        indexed = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        total = conn.execute("SELECT count(*) FROM items_item").fetchone()[0]  # type: ignore[index]
    print(
        f"generated {count:,} items in {generated - started:.1f} s, search index in {indexed - generated:.1f} s, "
        f"vacuum analyze {time.perf_counter() - indexed:.1f} s ({total:,} items in all)",
        flush=True,
    )


def has_rum_index(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [rum.INDEX_NAME]).fetchone() is not None
