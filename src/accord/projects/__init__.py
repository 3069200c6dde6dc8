"""Projects and their members; the permission matrix every project endpoint is checked against."""
