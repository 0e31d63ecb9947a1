"""The persistent history: a directory of Parquet files (rows by day, rejects, rollups) and a manifest.

``layout`` names the files and publishes the manifest, ``ingest`` appends logs to a store incrementally,
``query`` reads a store with DuckDB, ``prune`` drops old days. README "The store" documents the layout for
readers that do not use this code (Spark, DuckDB, pandas).
"""
