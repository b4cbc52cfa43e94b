"""The media part of the REST API (mounted by fieldcast.api.main)."""

from ninja import Router

router = Router()
