"""Wiring of the s3 plugin: its settings, and a new site's defaults (not enabled on ``kampus init``).

The blob store itself is the ``kampus.blob_store`` entry point ``s3``
(:class:`kampus_s3.blob_store.S3BlobStore`). To use it, an operator enables this plugin (so its
settings are read) and sets ``blob_store = "s3"``, ``s3_bucket`` and, as needed, ``s3_region``,
``s3_endpoint_url``, the credentials (else boto3's standard chain) and ``s3_key_prefix``.
"""

from __future__ import annotations

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

ADDRESSING_STYLES = ("auto", "path", "virtual")


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """Not enabled by ``kampus init``: the driver needs a bucket the operator names first."""
    return SiteDefaults(enable_on_init=False, order=90,
                        comment="Files in S3: set blob_store = \"s3\" and s3_bucket (see kampus-s3's README).")


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("s3_bucket", str, "", "S3 bucket holding the site's files (blob_store = \"s3\")."),
        Setting("s3_region", str, "", "AWS region of the bucket (empty: boto3's default, e.g. AWS_DEFAULT_REGION)."),
        Setting("s3_endpoint_url", str, "",
                "URL of an S3-compatible server (MinIO, Ceph...); empty for Amazon S3."),
        Setting("s3_access_key_id", str, "",
                "Access key id; empty to use boto3's credential chain (environment, ~/.aws, instance role).",
                secret=True),
        Setting("s3_secret_access_key", str, "", "Secret access key (with s3_access_key_id).", secret=True),
        Setting("s3_key_prefix", str, "",
                "Folder of the bucket under which the site's keys live (e.g. \"kampus/\"); empty for the root."),
        Setting("s3_addressing_style", str, "auto",
                "How to address the bucket: auto, path (MinIO and most S3-compatible servers) or virtual.",
                choices=ADDRESSING_STYLES),
        Setting("s3_multipart_threshold_mb", int, 8,
                "Bodies larger than this many MiB are uploaded in parts of this size (at least 5)."),
        Setting("s3_presigned_url_seconds", int, 0,
                "Above 0, url() gives presigned GET URLs valid this long; 0: the site serves files itself."),
    ]
