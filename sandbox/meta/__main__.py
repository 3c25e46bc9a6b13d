"""Run the emulator by hand: python -m sandbox.meta --port 8082 --webhook-url URL."""

from __future__ import annotations

import argparse

from sandbox.meta import create_app
from sandbox.meta.app import DEFAULTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--webhook-url", default="", help="the app's /webhooks/meta URL")
    parser.add_argument("--app-secret", default="sandbox-app-secret")
    args = parser.parse_args()
    base = f"http://{args.host}:{args.port}"
    print(f"Meta Graph API emulator at {base}")
    print(
        f"  META_GRAPH_URL={base} META_LOGIN_URL={base} META_APP_ID={DEFAULTS['APP_ID']} "
        f"META_APP_SECRET={args.app_secret} META_VERIFY_TOKEN={DEFAULTS['VERIFY_TOKEN']}"
    )
    app = create_app({"WEBHOOK_URL": args.webhook_url, "APP_SECRET": args.app_secret})
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
