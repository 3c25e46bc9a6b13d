"""The `switchboard` command and the demo: the composition root, the one package above all others.

It may import web/, workers/, sandbox/ and everything below them; nothing imports it (the
import contracts in pyproject.toml say so, and `lint-imports` checks it in CI).
"""

import sys as _sys

from switchboard.multiproc import directory_for as _directory_for
from switchboard.multiproc import prepare as _prepare
from switchboard.settings import Settings as _Settings

# Processes that share one metrics directory (web, worker, watch) must point
# prometheus_client at it before anything imports prometheus_client, which picks its value
# store once, at import; cli.commands' top-level imports reach it (the runtime, the checks), so
# the directory is prepared here, when the package is first imported (switchboard/multiproc.py).
_command = next((arg for arg in _sys.argv[1:] if not arg.startswith("-")), None)
if _command in ("web", "worker", "watch") and "prometheus_client" not in _sys.modules:
    _settings = _Settings.load()
    if not _settings.embedded:
        _prepare(_directory_for(_settings.get("PROMETHEUS_MULTIPROC_DIR"), _settings.instance_path))

# `switchboard poll ACCOUNT_ID`: the fetching child is forked now, before cli.commands imports
# SQLAlchemy and the models, so it logs in and parses while they load (cli/early.py).
if _command == "poll":
    from cli.early import begin as _begin

    _begin(_sys.argv[1:])
