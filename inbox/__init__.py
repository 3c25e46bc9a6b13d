"""The domain: the only code that changes state. Every function takes a Session."""
