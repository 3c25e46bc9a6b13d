"""FAQ knowledge base: articles (Korean first, English second), search, versioned storage."""
