"""Local emulators of the providers Switchboard talks to (tests and `switchboard demo` only)."""
