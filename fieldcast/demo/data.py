"""Demo accounts, places, channels and comments. Items live in items_*.py.

Every person, outlet, quote and event in the demo is invented; only the places
and their coordinates are real.
"""

from __future__ import annotations

import datetime
import textwrap
from typing import Final, NotRequired, TypedDict


class Credential(TypedDict):
    username: str
    password: str
    role: str


# Published in the README. User.check_password refuses them unless DEBUG is on.
DEMO_CREDENTIALS: Final[tuple[Credential, ...]] = (
    {"username": "member", "password": "demo-member", "role": "adult member, Safe Mode on"},
    {"username": "moderator", "password": "demo-moderator", "role": "member of the 'moderators' group"},
    {"username": "admin", "password": "demo-admin", "role": "staff and superuser, runs the channels"},
    {"username": "nutsflipped", "password": "demo-member", "role": "uploader: Syria, Lebanon, Libya"},
    {"username": "kyiv_witness", "password": "demo-member", "role": "uploader: Ukraine"},
    {"username": "ana_reporta", "password": "demo-member", "role": "uploader: Chile"},
    {"username": "gulfcoast_eye", "password": "demo-member", "role": "uploader: Houston"},
    {"username": "teen_viewer", "password": "demo-member", "role": "member aged 16: Safe Mode cannot be turned off"},
)


class UserSpec(TypedDict):
    username: str
    display_name: str
    bio: str
    # None: born `MINOR_AGE` years ago (kept a minor whenever the demo is loaded).
    date_of_birth: datetime.date | None
    is_staff: NotRequired[bool]
    is_superuser: NotRequired[bool]
    groups: NotRequired[list[str]]


MINOR_AGE = 16
MODERATORS_GROUP = "moderators"

USERS: Final[list[UserSpec]] = [
    {
        "username": "member",
        "display_name": "Demo Member",
        "bio": "Watches the news, comments a lot, uploads now and then.",
        "date_of_birth": datetime.date(1991, 4, 12),
    },
    {
        "username": "moderator",
        "display_name": "Mod Team (demo)",
        "bio": "Reviews reports and ratings.",
        "date_of_birth": datetime.date(1987, 9, 3),
        "groups": [MODERATORS_GROUP],
    },
    {
        "username": "admin",
        "display_name": "Fieldcast Desk",
        "bio": "Runs the topic channels, Featured and Must See.",
        "date_of_birth": datetime.date(1982, 1, 20),
        "is_staff": True,
        "is_superuser": True,
    },
    {
        "username": "nutsflipped",
        "display_name": "nutsflipped",
        "bio": "Footage from Syria and the Levant. Sources credited where I can.",
        "date_of_birth": datetime.date(1989, 6, 30),
    },
    {
        "username": "kyiv_witness",
        "display_name": "Kyiv Witness",
        "bio": "Пишу з Києва та Харкова. Українською, English, иногда по-русски.",
        "date_of_birth": datetime.date(1994, 11, 8),
    },
    {
        "username": "ana_reporta",
        "display_name": "Ana Reporta",
        "bio": "Periodista independiente en Valparaíso y Santiago.",
        "date_of_birth": datetime.date(1996, 2, 14),
    },
    {
        "username": "gulfcoast_eye",
        "display_name": "Gulf Coast Eye",
        "bio": "Storm chaser and dashcam collector, Houston TX.",
        "date_of_birth": datetime.date(1979, 7, 22),
    },
    {
        "username": "teen_viewer",
        "display_name": "teen viewer",
        "bio": "School reporter club.",
        "date_of_birth": None,
    },
]


class PlaceSpec(TypedDict):
    name: str
    kind: str  # geo.Place.Kind value
    country_code: str
    country_name: str
    latitude: float
    longitude: float
    population: int


def _country(name: str, code: str, lat: float, lon: float, population: int) -> PlaceSpec:
    return {
        "name": name, "kind": "country", "country_code": code, "country_name": name,
        "latitude": lat, "longitude": lon, "population": population,
    }  # fmt: skip


def _city(name: str, code: str, country: str, lat: float, lon: float, population: int) -> PlaceSpec:
    return {
        "name": name, "kind": "city", "country_code": code, "country_name": country,
        "latitude": lat, "longitude": lon, "population": population,
    }  # fmt: skip


PLACES: Final[list[PlaceSpec]] = [
    _country("Syria", "SY", 34.8021, 38.9968, 22_125_000),
    _country("Ukraine", "UA", 48.3794, 31.1656, 37_000_000),
    _country("Chile", "CL", -35.6751, -71.5430, 19_630_000),
    _country("United States", "US", 39.8283, -98.5795, 334_900_000),
    _country("Lebanon", "LB", 33.8547, 35.8623, 5_490_000),
    _country("Libya", "LY", 26.3351, 17.2283, 6_890_000),
    _city("Homs", "SY", "Syria", 34.7324, 36.7137, 775_000),
    _city("Aleppo", "SY", "Syria", 36.2021, 37.1343, 2_098_000),
    _city("Yabroud", "SY", "Syria", 33.9675, 36.6575, 25_000),
    _city("Kyiv", "UA", "Ukraine", 50.4501, 30.5234, 2_952_000),
    _city("Kharkiv", "UA", "Ukraine", 49.9935, 36.2304, 1_421_000),
    _city("Santiago", "CL", "Chile", -33.4489, -70.6693, 6_310_000),
    _city("Tripoli", "LB", "Lebanon", 34.4367, 35.8497, 230_000),
    _city("Tripoli", "LY", "Libya", 32.8872, 13.1913, 1_170_000),
    _city("Valparaíso", "CL", "Chile", -33.0472, -71.6127, 296_000),
    _city("Houston", "US", "United States", 29.7604, -95.3698, 2_304_000),
]


class ChannelSpec(TypedDict):
    slug: str
    name: str
    kind: str  # channels.Channel.Kind value: topic or editorial
    description: str
    is_current_event: NotRequired[bool]
    is_featured: NotRequired[bool]  # in the featured block of the channel directory


CHANNEL_OWNER = "admin"

CHANNELS: Final[list[ChannelSpec]] = [
    {
        "slug": "syria",
        "name": "Syria",
        "kind": "topic",
        "is_current_event": True,
        "is_featured": True,
        "description": "Footage from Syria as the story develops: Homs, Aleppo, the Qalamoun mountains. "
        "Follow-ups are linked to the item they update.",
    },
    {
        "slug": "ukraine",
        "name": "Ukraine",
        "kind": "topic",
        "is_current_event": True,
        "is_featured": True,
        "description": "Kyiv, Kharkiv and the front: air raids, rescue work and daily life. "
        "Українською, English, по-русски.",
    },
    {
        "slug": "protests",
        "name": "Protests",
        "kind": "topic",
        "description": "Marches, strikes and sit-ins, filmed by the people who were there.",
    },
    {
        "slug": "disasters",
        "name": "Natural disasters",
        "kind": "topic",
        "description": "Floods, wildfires, earthquakes and storms.",
    },
    {
        "slug": "accidents",
        "name": "Accidents",
        "kind": "topic",
        "description": "Road, rail and industrial accidents. Many items here are rated MA.",
    },
    {
        "slug": "featured",
        "name": "Featured",
        "kind": "editorial",
        "description": "Picked by the Fieldcast desk: well-sourced footage with context.",
    },
    {
        "slug": "must-see",
        "name": "Must See",
        "kind": "editorial",
        "description": "The footage everyone is talking about this week.",
    },
]


# Comments are drawn from these pools: the item's language first, then English.
COMMENTS: Final[dict[str, list[str]]] = {
    "en": [
        "Stay safe out there. Thanks for filming and for saying where it was.",
        "Source? I saw the same clip on Telegram two days ago with a different caption.",
        "The minaret at 0:40 matches the old photos, so the location looks right to me.",
        "This should be MA, there is a body visible near the end.",
        "Is there a longer version? The cut at 1:12 hides what happened next.",
        "Watched it with the sound off at work. The article explains more than the video does.",
        "Thank you for the date and time. Half the reuploads of this say it was last year.",
        "Geolocated: the water tower on the left is on the map, same street.",
        "Hope everyone in that building got out.",
        "Not for the faint of heart. Good that it is behind the 18+ screen.",
        "The follow-up answers my question from yesterday, thanks for linking it.",
        "Compared it with the satellite view: the damage on the roof is new.",
    ],
    "ar": [
        "الله يحميكم. شكراً على التوثيق وذكر المكان والتاريخ.",
        "هل يوجد فيديو أطول؟ المقطع ينقطع قبل النهاية.",
        "أعرف هذا الشارع، هذا فعلاً قرب السوق القديم.",
    ],
    "uk": [
        "Бережіть себе. Дякую, що вказали точний час.",
        "Це біля станції метро, я впізнаю будинок зліва.",
        "Слава рятувальникам, працюють без вихідних.",
    ],
    "ru": [
        "Спасибо, что указали место и время. Держитесь там.",
        "Видел это в новостях, но без подробностей. Здесь всё понятнее.",
    ],
    "es": [
        "Gracias por grabar y por poner la fecha. Mucha fuerza.",
        "Yo estaba ahí, la marcha llegó hasta la Plaza Baquedano.",
        "¿Alguien sabe si hubo heridos? La prensa no dice nada.",
    ],
}

LIST_MARKERS = ("- ", "* ", "> ", "1. ", "2. ", "3. ", "4. ")


def article(text: str) -> str:
    """Markdown kept readable in source: blank lines separate paragraphs, wrapped
    lines join into one (the renderer turns single newlines into <br>), list and
    quote lines stay on their own lines."""
    blocks = []
    for block in textwrap.dedent(text).strip().split("\n\n"):
        lines: list[str] = []
        for raw in block.splitlines():
            line = raw.strip()
            if lines and not line.startswith(LIST_MARKERS):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class Occurred(TypedDict):
    precision: str  # items.DatePrecision value; "unknown" needs no other key
    days_before: NotRequired[int]  # before the item was added (fresh footage)
    on: NotRequired[datetime.date]  # a fixed date (archive footage)
    time: NotRequired[str]  # "HH:MM", local time at the place; day precision only
    tz: NotRequired[str]  # IANA name, with `time`


class ItemSpec(TypedDict):
    author: str
    title: str  # natural key with the author: the loader skips an existing (author, title)
    rating: str
    content_flags: NotRequired[list[str]]  # ContentFlag values
    content_warning: NotRequired[str]  # the uploader's one line before MA content
    lang: str  # picks the comment pool
    body: str
    days_ago: float  # added_at, before the moment the demo is loaded
    occurred: Occurred
    source: str
    location: str
    tags: str  # as typed in the upload form: case and duplicate variants on purpose
    channels: list[str]  # topic channels, filed by the author
    ref: NotRequired[str]  # a name for `update_of` in later items
    update_of: NotRequired[str]  # the `ref` of an earlier item
    editorial: NotRequired[list[str]]  # Featured / Must See, filed by the channel owner
    visibility: NotRequired[str]
    moderation: NotRequired[tuple[str, str]]  # (state, public reason)
    counters: NotRequired[dict[str, int]]  # fixed values instead of generated ones
    comments: NotRequired[int]  # how many; generated from the item's title otherwise
