"""Wiring of the elasticsearch plugin: its settings, and a new site's defaults (not enabled on ``kampus init``).

The search engine itself is the ``kampus.search`` entry point ``elasticsearch``
(:class:`kampus_elasticsearch.search_engine.ElasticsearchSearchEngine`). To use it, an operator
enables this plugin (so its settings are read) and sets ``search = "elasticsearch"`` and
``elasticsearch_url`` (and, as needed, credentials, the index prefix and timeouts).
"""

from __future__ import annotations

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_elasticsearch.search_engine import API_VERSIONS


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """Not enabled by ``kampus init``: the driver needs a cluster the operator names first."""
    return SiteDefaults(enable_on_init=False, order=90,
                        comment="Search on Elasticsearch: set search = \"elasticsearch\" and elasticsearch_url "
                                "(see kampus-elasticsearch's README).")


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("elasticsearch_url", str, "",
                "URL of the Elasticsearch cluster (search = \"elasticsearch\"), e.g. https://es.example.org:9200; "
                "several nodes separated by commas."),
        Setting("elasticsearch_index_prefix", str, "kampus_",
                "Prefix of the site's index names in the cluster (course_info is <prefix>course_info): "
                "lower-case letters, digits, _ . -; lets several sites share a cluster."),
        Setting("elasticsearch_username", str, "", "User name for HTTP basic authentication (empty: none)."),
        Setting("elasticsearch_password", str, "", "Password for HTTP basic authentication.", secret=True),
        Setting("elasticsearch_api_key", str, "",
                "API key (the base64 'id:key' form Elasticsearch gives), instead of a user name and password.",
                secret=True),
        Setting("elasticsearch_ca_certs", str, "",
                "Path of the CA certificates (PEM) that signed the cluster's certificate; empty: the system's."),
        Setting("elasticsearch_verify_certs", bool, True,
                "Verify the cluster's TLS certificate (turn off only for a test cluster)."),
        Setting("elasticsearch_timeout", float, 10.0, "Seconds to wait for one request before retrying or failing."),
        Setting("elasticsearch_max_retries", int, 3,
                "Retries of a request on a connection error or timeout (on another node when there are several)."),
        Setting("elasticsearch_replicas", int, 1,
                "Replicas of each index the site creates (0 for a single-node cluster; each index has one shard)."),
        Setting("elasticsearch_api_version", int, 8,
                "REST API compatibility asked for on every request (compatible-with=...): 8 works with "
                "Elasticsearch 8.x and 9.x servers, 9 with 9.x only.", choices=API_VERSIONS),
    ]
