"""What every process is built from: settings, the Runtime, the job runner, bus, pauses, metrics.

Below web/ and workers/, above inbox/ (README "Layout"); the `switchboard` command itself is in
cli/, the one package allowed to import web/ and workers/ together.
"""
