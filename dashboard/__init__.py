"""Data Bloom: operational intelligence for web server access logs."""
