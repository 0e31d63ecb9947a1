"""The optional Apache Spark engine of the cube: session, dialect (Java regex and time patterns), job, cube."""
