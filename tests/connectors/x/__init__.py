"""Tests of the X connector: corpus fixtures, weighted length, and calls to the sandbox."""
