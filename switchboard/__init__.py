"""Switchboard: the process-level glue (settings, CLI) shared by web/, workers/ and the demo."""
