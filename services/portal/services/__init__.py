"""Use cases of the portal: projection, queries, news, file and signature jobs."""
