"""A job's results over HTTP: filtered, sorted, cursor-paged listing and the summary."""
