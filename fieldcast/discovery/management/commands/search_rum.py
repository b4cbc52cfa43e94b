"""`manage.py search_rum`: make (or with --drop, remove) the optional RUM index of search."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fieldcast.discovery import rum


class Command(BaseCommand):
    help = (
        "Make the RUM index that finds the newest matches of rare words and phrases on PostgreSQL "
        "(needs the rum extension: Debian's postgresql-15-rum), or drop it with --drop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--drop", action="store_true", help="Remove the index (search keeps to GIN).")

    def handle(self, *args: Any, drop: bool, **options: Any) -> None:
        if drop:
            self.stdout.write(rum.index_drop())
            return
        made, message = rum.index_create()
        if not made:
            raise CommandError(message)
        self.stdout.write(message)
