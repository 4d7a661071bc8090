"""Kampus's search index on Elasticsearch (the ``kampus.search`` driver ``elasticsearch``).

See :mod:`kampus_elasticsearch.search_engine` for the driver and the plugin's ``README.md`` for
how an operator enables it (``search = "elasticsearch"`` and the ``elasticsearch_*`` settings).
"""
