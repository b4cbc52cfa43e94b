"""Demo items: Chile and Houston. Invented reports about real places."""

from __future__ import annotations

import datetime
from typing import Final

from .data import ItemSpec, article

ITEMS: Final[list[ItemSpec]] = [
    {
        "ref": "alameda",
        "author": "ana_reporta",
        "title": "Santiago: miles marchan por las pensiones en la Alameda",
        "rating": "PG",
        "lang": "es",
        "days_ago": 35,
        "occurred": {"precision": "day", "days_before": 0, "time": "18:30", "tz": "America/Santiago"},
        "source": "Grabado por la autora",
        "location": "Santiago, Chile",
        "tags": "Chile, Santiago, protestas, pensiones, Protestas",
        "channels": ["protests"],
        "editorial": ["must-see"],
        "body": article("""
            Miles de personas marcharon esta tarde por la Alameda, en el centro de Santiago, para
            exigir una reforma del sistema de pensiones. La columna avanzó durante más de dos horas
            entre la Estación Central y la Plaza Baquedano.

            «Trabajé cuarenta años y mi pensión no alcanza para el arriendo», dice una jubilada en
            el video. Hubo bailes, bombos y carteles hechos a mano.

            Al caer la noche la policía cerró el paso hacia el palacio de gobierno. Más contexto en
            [Santiago de Chile](https://es.wikipedia.org/wiki/Santiago_de_Chile).
            """),
    },
    {
        "update_of": "alameda",
        "author": "ana_reporta",
        "title": "Santiago: carabineros dispersan la marcha con carros lanzaagua",
        "rating": "PG",
        "lang": "es",
        "days_ago": 34.7,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Grabado por la autora desde una esquina de la Alameda",
        "location": "Santiago, Chile",
        "tags": "Chile, Santiago, carabineros, protestas",
        "channels": ["protests"],
        "body": article("""
            Pasadas las nueve de la noche, los carros lanzaagua avanzaron sobre los últimos grupos
            que quedaban frente a la Plaza Baquedano. Algunas personas respondieron con piedras.

            No se ven heridos graves en este registro. Calificado PG por los empujones y el gas.
            """),
    },
    {
        "ref": "valpo-fire",
        "author": "ana_reporta",
        "title": "Valparaíso hills fire: night footage from Cerro Alegre",
        "rating": "PG",
        "lang": "en",
        "days_ago": 58,
        "occurred": {"precision": "day", "days_before": 0, "time": "23:10", "tz": "America/Santiago"},
        "source": "Filmed by the uploader from Cerro Alegre",
        "location": "Valparaíso, Chile",
        "tags": "Valparaíso, Valparaiso, wildfire, Chile, incendio",
        "channels": ["disasters"],
        "editorial": ["featured", "must-see"],
        "body": article("""
            A wall of fire moves down the hills above Valparaíso, pushed by a strong wind from the
            south. From Cerro Alegre you can see whole streets of wooden houses burning on the next
            hill over.

            Volunteer firefighters, who do most of the firefighting in Chile, are working without
            enough water pressure; neighbours fill buckets from their own taps.

            The port city: [Valparaíso](https://en.wikipedia.org/wiki/Valpara%C3%ADso).
            """),
    },
    {
        "update_of": "valpo-fire",
        "author": "ana_reporta",
        "title": "Valparaíso fire, day two: what is left of the neighbourhood",
        "rating": "PG",
        "lang": "en",
        "days_ago": 57,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Filmed by the uploader",
        "location": "Valparaíso, Chile",
        "tags": "Valparaíso, wildfire, Chile",
        "channels": ["disasters"],
        "body": article("""
            Morning after. Chimneys and staircases are all that stand on some blocks. Families
            search the ash for documents; a school has become a shelter and a collection point.

            The municipality has opened a registry for people who lost their homes.
            """),
    },
    {
        "author": "ana_reporta",
        "title": "Earthquake felt in Santiago: office workers evacuate",
        "rating": "GA",
        "lang": "en",
        "days_ago": 23,
        "occurred": {"precision": "day", "days_before": 0, "time": "14:02", "tz": "America/Santiago"},
        "source": "Filmed by a colleague of the uploader on the 14th floor",
        "location": "Santiago, Chile",
        "tags": "earthquake, sismo, Santiago, Chile",
        "channels": ["disasters"],
        "body": article("""
            Lamps swing and a water cooler tips over on the 14th floor of an office tower as a
            strong earthquake shakes central Chile. People walk, not run, to the stairs; this city
            practises.

            No major damage was reported in Santiago. The national seismological centre placed
            the epicentre offshore.
            """),
    },
    {
        "author": "ana_reporta",
        "title": "Chile: bus overturns on Ruta 68",
        "rating": "MA",
        "lang": "en",
        "days_ago": 11,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Filmed by a driver who stopped to help; shared with permission",
        "location": "Chile",
        "tags": "Chile, Ruta 68, bus, accident",
        "channels": ["accidents"],
        "body": article("""
            An intercity bus travelling from Santiago to the coast left the road in a curve and
            rolled onto its side. Drivers who stopped helped passengers out through the roof
            windows before the ambulances arrived.

            **MA:** injured passengers are shown, some bleeding.
            """),
    },
    {
        "author": "ana_reporta",
        "title": "Valparaíso: entrevista completa con bomberos voluntarios",
        "rating": "GA",
        "lang": "es",
        "days_ago": 52,
        "visibility": "unlisted",
        "occurred": {"precision": "month", "days_before": 5},
        "source": "Entrevista realizada por la autora",
        "location": "Valparaíso, Chile",
        "tags": "Valparaíso, bomberos, entrevista",
        "channels": ["disasters"],
        "body": article("""
            Versión completa, sin editar, de la entrevista con tres bomberos voluntarios de la
            Quinta Compañía. Hablan de los turnos de 36 horas, del equipo que pagan de su bolsillo
            y de por qué siguen.

            No listado: lo comparto con quienes preparan el reportaje largo.
            """),
    },
    {
        "author": "gulfcoast_eye",
        "title": "Houston: flash flood traps drivers under the I-45 underpass",
        "rating": "PG",
        "lang": "en",
        "days_ago": 29,
        "occurred": {"precision": "day", "days_before": 0, "time": "08:15", "tz": "America/Chicago"},
        "source": "Filmed by the uploader from the overpass",
        "location": "Houston, United States",
        "tags": "Houston, flood, Texas, flash flood",
        "channels": ["disasters"],
        "editorial": ["featured"],
        "body": article("""
            Three inches of rain in an hour turned the underpass into a lake. Two cars stalled in
            water up to their windows; a tow truck driver waded in with a rope and brought one
            driver out.

            Turn around, don't drown: the [National Weather Service](https://www.weather.gov/)
            repeats it every season for a reason.
            """),
    },
    {
        "author": "gulfcoast_eye",
        "title": "Houston: chemical plant fire sends black smoke over the Ship Channel",
        "rating": "PG",
        "lang": "en",
        "days_ago": 20,
        "occurred": {"precision": "day", "days_before": 0},
        "source": "Filmed by the uploader from a bridge",
        "location": "Houston, United States",
        "tags": "Houston, fire, industrial, Ship Channel, accident",
        "channels": ["accidents"],
        "body": article("""
            A storage tank caught fire at a plant along the Ship Channel. The smoke plume was
            visible across the east side for most of the day.

            Nearby neighbourhoods were told to shelter in place for several hours while air
            quality was monitored. No injuries reported.
            """),
    },
    {
        "author": "gulfcoast_eye",
        "title": "Houston: eighteen-wheeler jackknifes on the 610 Loop",
        "rating": "MA",
        "lang": "en",
        "days_ago": 6,
        "occurred": {"precision": "day", "days_before": 0, "time": "17:40", "tz": "America/Chicago"},
        "source": "Dashcam of the uploader",
        "location": "Houston, United States",
        "tags": "Houston, dashcam, truck, accident, 610 Loop",
        "channels": ["accidents"],
        "editorial": ["must-see"],
        "body": article("""
            Rush hour on the West Loop, wet road. A tractor-trailer brakes hard, folds in half and
            slides across three lanes, taking two cars with it.

            **MA:** the aftermath shows an injured driver. All lanes were closed for five hours.
            """),
    },
    {
        "author": "gulfcoast_eye",
        "title": "Archive: Harvey floodwater in Meyerland",
        "rating": "GA",
        "lang": "en",
        "days_ago": 47,
        "occurred": {"precision": "year", "on": datetime.date(2017, 8, 27)},
        "source": "Filmed by the uploader during Hurricane Harvey",
        "location": "Houston",
        "tags": "Houston, Harvey, hurricane, archive, flood",
        "channels": ["disasters"],
        "body": article("""
            From my archive: boats on residential streets in Meyerland during
            [Hurricane Harvey](https://en.wikipedia.org/wiki/Hurricane_Harvey). Reposted because
            this week's rain brought back the same questions about the bayous.
            """),
    },
    {
        "author": "gulfcoast_eye",
        "title": "Rally outside Houston City Hall over bus route cuts",
        "rating": "GA",
        "lang": "en",
        "days_ago": 38,
        "occurred": {"precision": "month", "days_before": 3},
        "source": "Filmed by the uploader",
        "location": "Houston, United States",
        "tags": "Houston, transit, protests, buses",
        "channels": ["protests"],
        "body": article("""
            A few hundred riders, drivers and nurses rally in front of City Hall against the plan
            to cut night bus routes. Speakers take turns on a borrowed sound system.

            Peaceful from start to finish.
            """),
    },
    {
        "author": "teen_viewer",
        "title": "Hailstorm at my school",
        "rating": "GA",
        "lang": "en",
        "days_ago": 1.5,
        "occurred": {"precision": "day", "days_before": 0, "time": "13:20", "tz": "America/Chicago"},
        "source": "Filmed by me from the cafeteria window",
        "location": "Houston",
        "tags": "hail, storm, Houston, HAIL",
        "channels": ["disasters"],
        "body": article("""
            Hail the size of golf balls for about five minutes during lunch. Everybody ran to the
            windows. Some car windshields in the parking lot cracked.
            """),
    },
]
