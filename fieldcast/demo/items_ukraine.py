"""Demo items: Ukraine. Invented reports about real places."""

from __future__ import annotations

from typing import Final

from .data import ItemSpec, article

ITEMS: Final[list[ItemSpec]] = [
    {
        "author": "kyiv_witness",
        "title": "Київ: нічна атака дронів, над Дніпром працює ППО",
        "rating": "PG",
        "lang": "uk",
        "days_ago": 30.8,
        "occurred": {"precision": "day", "days_before": 0, "time": "03:12", "tz": "Europe/Kyiv"},
        "source": "Знято автором з балкона на Лівому березі",
        "location": "Kyiv, Ukraine",
        "tags": "Київ, Kyiv, ППО, air defence, Ukraine",
        "channels": ["ukraine"],
        "body": article("""
            Близько третьої ночі в Києві пролунали вибухи: працювала протиповітряна оборона.
            На відео видно трасери над Дніпром і спалахи в районі мостів.

            За даними міської адміністрації, уламки впали на двох ділянках, пошкоджено дах
            складського приміщення. Постраждалих, за попередньою інформацією, немає.

            Тривога тривала майже три години. Карта укриттів міста:
            [Київ на Вікіпедії](https://uk.wikipedia.org/wiki/Київ).
            """),
    },
    {
        "ref": "kharkiv-block",
        "author": "kyiv_witness",
        "title": "Kharkiv: apartment block hit, rescuers search the rubble",
        "rating": "MA",
        "lang": "en",
        "days_ago": 28,
        "occurred": {"precision": "day", "days_before": 0, "time": "06:50", "tz": "Europe/Kyiv"},
        "source": "Filmed by the uploader with permission of the emergency service press officer",
        "location": "Kharkiv, Ukraine",
        "tags": "Kharkiv, Харків, rescue, Ukraine, ukraine",
        "channels": ["ukraine"],
        "editorial": ["must-see"],
        "body": article("""
            A nine-storey building in the north of Kharkiv was hit shortly before seven in the
            morning. Two entrances collapsed down to the second floor. Rescuers with dogs are
            searching the rubble; neighbours pass water bottles along a human chain.

            The regional administration reports people trapped and several injured taken to
            hospital. This item will be updated.

            **MA:** a body is carried out at 3:40. City background:
            [Kharkiv](https://en.wikipedia.org/wiki/Kharkiv).
            """),
    },
    {
        "update_of": "kharkiv-block",
        "author": "kyiv_witness",
        "title": "Kharkiv: rescue operation ends, the building will be demolished",
        "rating": "PG",
        "lang": "en",
        "days_ago": 25,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Filmed by the uploader",
        "location": "Kharkiv, Ukraine",
        "tags": "Kharkiv, rescue, housing",
        "channels": ["ukraine"],
        "body": article("""
            After three days the search is over. Engineers say the remaining structure cannot be
            saved and will be taken down next month; the residents have been offered rooms in a
            dormitory nearby.

            The video shows the last cranes leaving and residents collecting what they can from
            the undamaged entrance.
            """),
    },
    {
        "author": "kyiv_witness",
        "title": "Харьков: очереди за водой после удара по подстанции",
        "rating": "PG",
        "lang": "ru",
        "days_ago": 19,
        "occurred": {"precision": "day", "days_before": 1},
        "source": "Снято автором",
        "location": "Kharkiv, Ukraine",
        "tags": "Харьков, Kharkiv, вода, infrastructure",
        "channels": ["ukraine"],
        "body": article("""
            После удара по электроподстанции в нескольких районах Харькова пропали свет и вода.
            Жители выстроились в очередь к цистерне у школы; люди стоят с канистрами и бутылками.

            «Третий день носим воду на девятый этаж, лифт не работает», — говорит пожилая женщина
            в ролике. Коммунальные службы обещают восстановить подачу воды к вечеру.
            """),
    },
    {
        "author": "kyiv_witness",
        "title": "Kyiv metro as a shelter: a night at Zoloti Vorota",
        "rating": "GA",
        "lang": "en",
        "days_ago": 44,
        "occurred": {"precision": "month", "days_before": 20},
        "source": "Filmed by the uploader",
        "location": "Kyiv, Ukraine",
        "tags": "Kyiv, metro, shelter, Ukraine",
        "channels": ["ukraine"],
        "body": article("""
            During long air raid alerts, families come down to the metro with camping mats, pets
            and homework. This was filmed one night this month at Zoloti Vorota, one of the deepest
            stations.

            - Station staff hand out tea after midnight.
            - Children play cards on the platform; trains stop running during the alert.

            Nothing violent is shown.
            """),
    },
    {
        "author": "kyiv_witness",
        "title": "Київ: волонтери замінюють вибиті вікна у школі",
        "rating": "GA",
        "lang": "uk",
        "days_ago": 8,
        "occurred": {"precision": "day", "days_before": 1},
        "source": "Знято автором разом із волонтерською ініціативою",
        "location": "Kyiv, Ukraine",
        "tags": "Київ, Kyiv, волонтери, volunteers, schools",
        "channels": ["ukraine"],
        "editorial": ["featured"],
        "body": article("""
            Після нічної атаки вибуховою хвилею вибило понад сорок вікон у школі на Оболоні.
            Уже зранку волонтери привезли плівку, фанеру та нові склопакети.

            «До понеділка діти мають повернутися до класів», — каже координаторка ініціативи.
            Допомогти можна через сторінку ініціативи: [приклад](https://example.org/volunteers-kyiv).
            """),
    },
    {
        "author": "kyiv_witness",
        "title": "Kharkiv ring road: dashcam catches a drone strike",
        "rating": "MA",
        "lang": "en",
        "days_ago": 3,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Dashcam of a delivery van, sent to the uploader",
        "location": "Kharkiv, Ukraine",
        "tags": "Kharkiv, dashcam, drone",
        "channels": ["ukraine"],
        "moderation": (
            "held",
            "Held for review: reported as footage from another city. Moderators are checking the source.",
        ),
        "comments": 1,
        "body": article("""
            A dashcam on the ring road records a flash and a column of smoke a few hundred metres
            ahead; cars brake and turn around. The driver who sent it says it happened this morning.
            """),
    },
    {
        "author": "kyiv_witness",
        "title": "Raw clip for my notes (not for publishing)",
        "rating": "GA",
        "lang": "en",
        "days_ago": 2,
        "visibility": "private",
        "occurred": {"precision": "unknown"},
        "source": "Filmed by the uploader",
        "location": "Kyiv",
        "tags": "notes",
        "channels": [],
        "comments": 0,
        "counters": {
            "plays_count": 2,
            "embed_plays_count": 0,
            "views_count": 3,
            "vote_score": 0,
            "favorites_count": 0,
            "shares_count": 0,
        },
        "body": article("""
            Street noise and a bus stop, kept private as a reference for a longer piece.
            """),
    },
    {
        "author": "member",
        "title": "Street musicians keep playing through the Kyiv blackout",
        "rating": "GA",
        "lang": "en",
        "days_ago": 16,
        "occurred": {"precision": "day", "days_before": 0, "time": "19:45", "tz": "Europe/Kyiv"},
        "source": "Filmed by the uploader",
        "location": "Kyiv, Ukraine",
        "tags": "Kyiv, music, blackout, Ukraine, kyiv",
        "channels": ["ukraine"],
        "editorial": ["featured"],
        "body": article("""
            The whole street is dark except for phone torches and a string of battery lights. A
            violinist and an accordion player keep going for an hour; a crowd sings along.

            Power came back in the district at around nine. A small, good evening.
            """),
    },
]
