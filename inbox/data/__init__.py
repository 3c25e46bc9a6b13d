"""Data files shipped with the domain (Korean public holidays for business hours)."""
