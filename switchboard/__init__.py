"""What every process is built from: settings, the Runtime, the job runner, bus, pauses, metrics.

Below web/ and workers/, above inbox/ (README "Layout"); the `switchboard` command itself is in
cli/, the one package allowed to import web/ and workers/ together.
"""

import os

# prometheus_client turns on its multiprocess mode when PROMETHEUS_MULTIPROC_DIR merely exists;
# an empty one (a copied settings file, a test passing every default on) would make each
# process write its metric files into the working directory. Empty means unset here.
for _name in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"):
    if _name in os.environ and not os.environ[_name].strip():
        del os.environ[_name]
