"""`manage.py search_reindex`: rebuild the search index of every item (or some)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fieldcast.discovery.search import search_reindex


class Command(BaseCommand):
    help = "Rebuild the full-text search index (PostgreSQL tsvector or SQLite FTS5) from the items."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Items per transaction (default 500).")
        parser.add_argument("item_ids", nargs="*", type=int, help="Only these item ids (default: every item).")

    def handle(self, *args: Any, batch_size: int, item_ids: list[int], **options: Any) -> None:
        count = search_reindex(batch_size=max(1, batch_size), item_ids=item_ids or None)
        self.stdout.write(f"Search index: {count} item{'s' if count != 1 else ''} indexed.")
