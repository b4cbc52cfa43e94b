"""Demo items: Syria, Lebanon, Libya. Invented reports about real places."""

from __future__ import annotations

import datetime
from typing import Final

from .data import ItemSpec, article

ITEMS: Final[list[ItemSpec]] = [
    {
        "ref": "yabroud",
        "author": "nutsflipped",
        "title": "The Battle for Yabroud Has Started",
        "rating": "MA",
        "content_flags": ["graphic_violence", "death_injury", "language"],
        "content_warning": "Wounded fighters and a body are shown from 1:10; heavy gunfire throughout.",
        "lang": "en",
        "days_ago": 41.2,
        "occurred": {"precision": "day", "days_before": 0, "time": "05:40", "tz": "Asia/Damascus"},
        "source": "Filmed by a resident of Yabroud, sent to the uploader by messenger",
        "location": "Yabroud, Syria",
        "tags": "Syria, qalamoon, Qalamoun, battle, Yabroud, syria, war",
        "channels": ["syria"],
        "editorial": ["must-see"],
        "counters": {
            "plays_count": 3425,
            "embed_plays_count": 0,
            "views_count": 5460,
            "vote_score": 4,
            "favorites_count": 1,
            "shares_count": 0,
        },
        "comments": 6,
        "body": article("""
            Heavy artillery fire began before dawn on the outskirts of Yabroud, the last large town
            in the Qalamoun mountains still outside government control. The footage was filmed from
            a rooftop in the old quarter: the first impacts land on the ridge to the north, then
            closer to the main road.

            Residents reached by phone said the shelling had not stopped by mid-morning and that
            families from the eastern neighbourhoods were moving into basements. Two field clinics
            asked for blood donors over loudspeakers.

            **Warning:** the last minute shows wounded people being carried to a car.

            Background on the town: [Yabroud](https://en.wikipedia.org/wiki/Yabroud). I will post
            follow-ups as updates to this item.
            """),
    },
    {
        "ref": "yabroud-2",
        "update_of": "yabroud",
        "author": "nutsflipped",
        "title": "Yabroud, day two: the view from the hills",
        "rating": "MA",
        "lang": "en",
        "days_ago": 40.1,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Same filmer as the first item, from the hills west of the town",
        "location": "Yabroud, Syria",
        "tags": "Syria, Yabroud, Qalamoun, QALAMOUN",
        "channels": ["syria"],
        "body": article("""
            Second day. Smoke rises over the southern entrance of the town and over the road to
            the mountain villages. The filmer counts more than forty impacts in one hour.

            According to a local council statement posted this afternoon, the bakery near the
            central square is closed and the water pumping station has no fuel.

            The sound is loud: lower your volume before playing.
            """),
    },
    {
        "ref": "yabroud-3",
        "update_of": "yabroud",
        "author": "nutsflipped",
        "title": "Yabroud: families leave along the mountain road",
        "rating": "PG",
        "lang": "en",
        "days_ago": 37.5,
        "occurred": {"precision": "day", "days_before": 1},
        "source": "Filmed from a car on the road north of Yabroud",
        "location": "Yabroud, Syria",
        "tags": "Syria, Yabroud, displacement, refugees",
        "channels": ["syria"],
        "body": article("""
            A long line of cars, pick-ups and tractors loaded with mattresses moves slowly north,
            away from the town. Most of the people in this clip told the filmer they were going to
            relatives across the border in Lebanon.

            Aid groups in the border area say they are preparing for several thousand arrivals, see
            the statement quoted by the [Qalamoun Monitor](https://example.org/qalamoun-monitor)
            (an independent local page).

            No violence is shown. Rated PG for distressed children at 2:05.
            """),
    },
    {
        "author": "nutsflipped",
        "title": "Homs: the old souk reopens after restoration",
        "rating": "GA",
        "lang": "en",
        "days_ago": 55,
        "occurred": {"precision": "month", "days_before": 12},
        "source": "Filmed by the uploader",
        "location": "Homs, Syria",
        "tags": "Homs, Syria, reconstruction, markets",
        "channels": ["syria"],
        "editorial": ["featured"],
        "body": article("""
            After years of work, the covered market in the old city of Homs is open again. The
            stone arches were rebuilt by hand; some shopkeepers came back to the exact stall their
            grandparents ran.

            "The roof leaks in two places, but we are here," says a spice seller in the video.
            Electricity still comes from a shared generator for four hours in the evening.

            More about the city: [Homs](https://en.wikipedia.org/wiki/Homs).
            """),
    },
    {
        "author": "nutsflipped",
        "title": "حلب: أمطار غزيرة تغمر شوارع المدينة القديمة",
        "rating": "PG",
        "lang": "ar",
        "days_ago": 18.3,
        "occurred": {"precision": "day", "days_before": 0, "time": "16:20", "tz": "Asia/Damascus"},
        "source": "تصوير أحد سكان الحي، نُشر بإذنه",
        "location": "Aleppo, Syria",
        "tags": "حلب, Aleppo, فيضانات, flood, Syria",
        "channels": ["syria", "disasters"],
        "body": article("""
            غمرت مياه الأمطار عصر اليوم عدداً من شوارع المدينة القديمة في حلب بعد ساعات من الهطول
            المتواصل، ووصل منسوب المياه في بعض الأزقة إلى مستوى الركبة.

            يظهر الفيديو، الذي صوّره أحد السكان من شرفة منزله قرب باب أنطاكية، أصحاب المحلات وهم
            يرفعون بضائعهم عن الأرض، بينما يحاول متطوعون فتح مجاري تصريف المياه المسدودة بالركام.

            وقال أحد التجار إن المشكلة تتكرر كل شتاء لأن شبكة الصرف في المنطقة لم تُصلَح بالكامل.
            لم ترد تقارير عن إصابات حتى الآن.

            للمزيد عن المدينة: [حلب على ويكيبيديا](https://ar.wikipedia.org/wiki/حلب)
            """),
    },
    {
        "author": "nutsflipped",
        "title": "طرابلس: محتجون يقطعون الطرق احتجاجاً على انقطاع الكهرباء",
        "rating": "PG",
        "lang": "ar",
        "days_ago": 9.6,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "مراسل متعاون في طرابلس",
        "location": "Tripoli, Lebanon",
        "tags": "Lebanon, لبنان, Tripoli, electricity, protests",
        "channels": ["protests"],
        "body": article("""
            أغلق محتجون مساء أمس عدداً من الطرق الرئيسية في مدينة طرابلس شمال لبنان بالإطارات
            المشتعلة، احتجاجاً على انقطاع التيار الكهربائي لأكثر من عشرين ساعة يومياً.

            ويظهر المقطع شباناً يرددون هتافات ضد شركة الكهرباء، فيما تحاول سيارات الإسعاف المرور
            بين الحواجز. وقال أحد المشاركين: «لا نطلب أكثر من أربع ساعات كهرباء في اليوم».

            ساد الهدوء بعد منتصف الليل، ولم تُسجَّل إصابات بحسب شهود عيان.
            """),
    },
    {
        "author": "nutsflipped",
        "title": "Aleppo: unexploded shell removed from a schoolyard",
        "rating": "PG",
        "lang": "en",
        "days_ago": 26,
        "occurred": {"precision": "day", "days_before": 2},
        "source": "Filmed by a teacher at the school; shared with permission",
        "location": "Aleppo, Syria",
        "tags": "Aleppo, UXO, unexploded ordnance, schools, Syria",
        "channels": ["syria"],
        "body": article("""
            Children found the shell half-buried next to the basketball hoop when the snow melted.
            The school was closed for two days while a removal team from the civil defence dug it
            out and carried it away on a sandbagged truck.

            The team leader says they receive several calls a week from the eastern districts. A
            guide to recognising explosive remnants is published by the
            [UN Mine Action Service](https://www.unmas.org/).

            Nothing explodes in this video.
            """),
    },
    {
        "author": "nutsflipped",
        "title": "Archive: Khalidiya, Homs, street by street",
        "rating": "MA",
        "lang": "en",
        "days_ago": 50,
        "visibility": "unlisted",
        "occurred": {"precision": "year", "on": datetime.date(2012, 2, 1)},
        "source": "Archive footage from a local media office, digitised by the uploader",
        "location": "Homs, Syria",
        "tags": "Homs, archive, Khalidiya, 2012",
        "channels": ["syria"],
        "body": article("""
            Archive footage: a walk through the Khalidiya district in the year of the siege. The
            exact month is not known; the tape box only says the year.

            Unlisted on purpose: I am sharing the link with researchers who are matching old
            footage to today's streets. Several shots show the dead.
            """),
    },
    {
        "author": "nutsflipped",
        "title": "Night shelling seen from the edge of Homs",
        "rating": "MA",
        "lang": "en",
        "days_ago": 33,
        "occurred": {"precision": "unknown"},
        "source": "Received by messenger; the original filmer is unknown",
        "location": "Homs",
        "tags": "Homs, shelling, night, unverified",
        "channels": ["syria"],
        "body": article("""
            Flashes on the horizon and the sound of impacts a few seconds later, filmed from a
            balcony. I could not confirm when this was filmed: the file came without a date and
            the sender does not know who made it.

            If you recognise the skyline or have the original, leave a comment and I will credit
            the filmer.
            """),
    },
    {
        "author": "nutsflipped",
        "title": "Tripoli, Lebanon: fuel tanker explodes at a petrol station",
        "rating": "MA",
        "lang": "en",
        "days_ago": 14,
        "occurred": {"precision": "day", "days_before": 0, "time": "11:05", "tz": "Asia/Beirut"},
        "source": "Security camera of a shop across the street, via the shop owner",
        "location": "Tripoli, Lebanon",
        "tags": "Lebanon, Tripoli, explosion, fuel, accident",
        "channels": ["accidents"],
        "body": article("""
            A tanker delivering petrol caught fire while unloading and exploded about a minute
            later. The camera across the street shows people running before the blast, which
            probably saved lives.

            Civil defence teams put out the fire after two hours. Local media report several
            injured, including the driver; see [Tripoli](https://en.wikipedia.org/wiki/Tripoli,_Lebanon)
            for the area.

            **MA:** burned people are visible after the explosion.
            """),
    },
    {
        "author": "member",
        "title": "Tripoli, Libya: protesters push through the parliament gate",
        "rating": "PG",
        "lang": "en",
        "days_ago": 22,
        "occurred": {"precision": "day", "days_before": 1},
        "source": "Filmed by a friend of the uploader who was in the crowd",
        "location": "Tripoli, Libya",
        "tags": "Libya, Tripoli, protests, parliament",
        "channels": ["protests"],
        "body": article("""
            Several hundred people gathered in front of the parliament building to protest against
            fuel shortages and daily power cuts. Part of the crowd pushed the outer gate open;
            guards fired in the air and the crowd stepped back.

            The video is shaky but shows the whole sequence. Some shouting and pushing, nobody is
            visibly hurt.
            """),
    },
    {
        "author": "member",
        "title": "Oil on the beach west of Tripoli, volunteers clean up",
        "rating": "GA",
        "lang": "en",
        "days_ago": 5,
        "occurred": {"precision": "unknown"},
        "source": "Posted in a local volunteers' group, reshared with credit to the group",
        "location": "Tripoli, Libya",
        "tags": "Libya, oil spill, beach, volunteers, environment",
        "channels": ["accidents"],
        "body": article("""
            Black patches of oil along a kilometre of sand, and a few dozen volunteers with
            shovels and bags. Nobody knows yet where the oil came from: a pipeline leak and a ship
            cleaning its tanks offshore are the two guesses in the group.

            - Bags are collected by the municipality every evening.
            - Bring gloves and boots, the tar sticks to everything.
            """),
    },
    {
        "author": "member",
        "title": "COMPILATION: best clashes of the week",
        "rating": "MA",
        "lang": "en",
        "days_ago": 12,
        "occurred": {"precision": "unknown"},
        "source": "various",
        "location": "Syria",
        "tags": "compilation, clashes, Syria, SYRIA",
        "channels": ["syria", "protests"],
        "moderation": (
            "removed",
            "Re-upload of other members' footage without credit. The original items are linked in "
            "the notice sent to the uploader.",
        ),
        "comments": 2,
        "body": article("""
            Best clips of the week in one video. Music added.
            """),
    },
]
