"""Run the X emulator by hand: python -m sandbox.x --port 8083.

Then point Switchboard at it (X_API_URL, X_CONSUMER_KEY, X_CONSUMER_SECRET as printed) and
connect the brand account with the printed `switchboard channel add` line.
"""

from __future__ import annotations

import argparse

from sandbox.x import (
    BRAND,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DEMO_CREDENTIALS,
    World,
    create_app,
    oauth,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8083)
    args = parser.parse_args()
    base = f"http://{args.host}:{args.port}"
    credentials = " ".join(f"--credential {k}={v}" for k, v in DEMO_CREDENTIALS.items())
    print(f"X API emulator at {base} (customer simulator: {base}/_emu/simulator)")
    print(f"  X_API_URL={base} X_CONSUMER_KEY={CONSUMER_KEY} X_CONSUMER_SECRET={CONSUMER_SECRET}")
    sign_in = " ".join(f"{k}={v}" for k, v in oauth.settings(base).items())
    print(f"  for Admin > Channel accounts > Connect X: {sign_in}")
    print(
        f"  or: switchboard channel add x --name @{BRAND[1]} --external-id {BRAND[0]} {credentials}"
    )
    create_app(World()).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
