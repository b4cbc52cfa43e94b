from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fieldcast.demo.data import DEMO_CREDENTIALS
from fieldcast.demo.loader import DemoConflict, load_demo


class Command(BaseCommand):
    help = (
        "Load demo members, places, channels and items (with comments and counters), and queue "
        "a generated video for every item that has none. Safe to run twice. "
        "The demo passwords work only while DEBUG is on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="Do not queue the generated videos (the items stay text posts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        media = not options["no_media"]
        try:
            summary = load_demo(stdout=self.stdout, media=media)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(str(summary)))
        if not media:
            self.stdout.write("Demo videos: not queued (--no-media).")
        elif summary.media_queued:
            self.stdout.write(
                f"Demo videos: queued {summary.media_queued} on the 'media' queue. The media worker "
                "(`manage.py db_worker --queue-name media`, started by `make run`) makes and processes "
                "them while the site is up; each item shows in the lists once its video is ready."
            )
        else:
            self.stdout.write("Demo videos: none to queue (every item has its media, or is queued already).")
        self.stdout.write("Demo accounts (the passwords work only while DEBUG is on):")
        for credential in DEMO_CREDENTIALS:
            self.stdout.write(f"  {credential['username']:<14} {credential['password']:<16} {credential['role']}")
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG is off: the demo accounts cannot sign in."))
