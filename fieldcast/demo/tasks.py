"""The demo's task: one item's generated media, on the `media` queue (the worker that
processes uploads), so `make run` serves the site while the videos are made."""

from __future__ import annotations

from django_tasks import task

from fieldcast.demo.media import demo_media_generate


@task(queue_name="media")
def generate_demo_media(item_id: int, variant: int) -> list[str]:
    """Safe to run twice: an item that has media already is left alone."""
    return demo_media_generate(item_id=item_id, variant=variant)
