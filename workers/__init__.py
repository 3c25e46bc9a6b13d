"""Job functions (ingest, send, poll, sweep) and the runners that execute them.

Jobs are plain functions taking ids, named by dotted path, so the embedded runner and rq run
the very same code. They are idempotent by database constraint: running one twice is safe.
"""
