"""X API v2 emulator (see app.py); `create_app()` builds it around a seeded `World`."""

from sandbox.x.app import create_app
from sandbox.x.world import BRAND, CONSUMER_KEY, CONSUMER_SECRET, DEMO_CREDENTIALS, World

__all__ = ["BRAND", "CONSUMER_KEY", "CONSUMER_SECRET", "DEMO_CREDENTIALS", "World", "create_app"]
