"""What the facebook and instagram declarations share: the Meta app's settings, image types.

(Form labels live in the channels' own channel.py: pybabel does not look into `_meta/`.)"""

from __future__ import annotations

from connectors.base import ChannelSettings

# Both channels read the one Meta app's settings; defaults must agree (the registry checks).
META_SETTINGS = ChannelSettings(
    prefixes=("META_",),
    defaults={
        "META_GRAPH_URL": "https://graph.facebook.com",
        "META_GRAPH_VERSION": "v23.0",
        "META_APP_ID": "",
        "META_APP_SECRET": "",
        "META_VERIFY_TOKEN": "",
        "META_LOGIN_URL": "https://www.facebook.com",  # Facebook Login dialog (_meta/oauth.py)
        "META_LOGIN_CONFIG_ID": "",
    },
)

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
