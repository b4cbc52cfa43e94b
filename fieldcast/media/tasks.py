"""The media pipeline's tasks: thin, they take ids and call a service (safe to run twice).

`process_asset` runs on the `media` queue (its own worker, so a long transcode never delays
the `default` queue); `reap_stuck_assets` on `default`, enqueued by the scheduler every minute.
"""

from __future__ import annotations

from django_tasks import task

from fieldcast.media.services.processing import asset_process
from fieldcast.media.services.recovery import assets_reap_stuck


@task(queue_name="media")
def process_asset(asset_id: int) -> None:
    asset_process(asset_id=asset_id)


@task(queue_name="default")
def reap_stuck_assets() -> dict[str, list[int]]:
    outcome = assets_reap_stuck()
    return {"requeued": outcome.requeued, "failed": outcome.failed, "enqueued": outcome.enqueued}
