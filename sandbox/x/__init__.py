"""X API v2 emulator (see app.py); `create_app()` builds it around a seeded `World`."""

from sandbox.x.app import create_app
from sandbox.x.world import World

__all__ = ["World", "create_app"]
