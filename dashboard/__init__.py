"""Data Bloom: operational intelligence for web server access logs."""

import os

# Polars' allocator (jemalloc) hands freed pages back to the OS at once instead of after ~10 s of later activity:
# a server that just parsed a 1M-line upload holds ~40 MB less. Read once, when polars loads; a value set by the
# operator wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
