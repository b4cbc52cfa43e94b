from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fieldcast.demo.data import DEMO_CREDENTIALS
from fieldcast.demo.loader import DemoConflict, load_demo


class Command(BaseCommand):
    help = (
        "Load demo members, places, channels and items (with comments and counters). "
        "Safe to run twice. The demo passwords work only while DEBUG is on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo(stdout=self.stdout)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(str(summary)))
        self.stdout.write("Demo accounts (the passwords work only while DEBUG is on):")
        for credential in DEMO_CREDENTIALS:
            self.stdout.write(f"  {credential['username']:<14} {credential['password']:<16} {credential['role']}")
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG is off: the demo accounts cannot sign in."))
