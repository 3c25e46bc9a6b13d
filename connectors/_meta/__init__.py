"""Shared Graph API plumbing for the facebook and instagram connectors (not a channel itself)."""
