"""Reports (issue 20): hourly roll-ups of conversation facts and the queries that read them."""
