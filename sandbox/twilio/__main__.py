"""Run the provider emulator by hand: python -m sandbox.twilio --port 8084 --app-url URL."""

from __future__ import annotations

import argparse

from sandbox.twilio import create_app
from sandbox.twilio.app import DEFAULTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8084)
    parser.add_argument("--app-url", default="", help="Switchboard's base URL (PUBLIC_BASE_URL)")
    args = parser.parse_args()
    base = f"http://{args.host}:{args.port}"
    app_url = args.app_url.rstrip("/")
    print(f"Twilio-format provider emulator at {base} (simulator: {base}/_emu/simulator)")
    print(
        f"  PHONE_API_URL={base} PHONE_ACCOUNT_SID={DEFAULTS['ACCOUNT_SID']} "
        f"PHONE_AUTH_TOKEN={DEFAULTS['AUTH_TOKEN']} FETCH_ALLOW_HOSTS={args.host}:{args.port}"
    )
    app = create_app(
        {
            "SMS_URL": f"{app_url}/webhooks/phone" if app_url else "",
            "VOICE_URL": f"{app_url}/webhooks/phone/voice" if app_url else "",
            "PUBLIC_URL": base,
            "AUTO_CALLBACKS": True,
        }
    )
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
