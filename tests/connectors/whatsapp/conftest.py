from tests.connectors.facebook.sandbox_support import _forget_usage, sandbox, sandbox_config

__all__ = ["_forget_usage", "sandbox", "sandbox_config"]
