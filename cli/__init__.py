"""The `switchboard` command and the demo: the composition root, the one package above all others.

It may import web/, workers/, sandbox/ and everything below them; nothing imports it (the
import contracts in pyproject.toml say so, and `lint-imports` checks it in CI).
"""
