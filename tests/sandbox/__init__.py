"""Tests of the provider emulators under sandbox/."""
