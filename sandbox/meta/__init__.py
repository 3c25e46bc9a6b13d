"""Meta Graph API emulator (Send API, comments, conversations, publishing, signed webhooks)."""

from sandbox.meta.app import create_app

__all__ = ["create_app"]
