"""Input formats: one module per source (``evidence.sources.load.load_dataset`` picks one).

This package's own import loads nothing: each reader module brings its own dependencies, so
the tidy reader (numpy and Arrow) can be used without the NOMIS and ONS readers (pandas).
"""
