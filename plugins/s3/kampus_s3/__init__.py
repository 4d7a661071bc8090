"""Kampus's blob store on Amazon S3 and S3-compatible servers (the ``kampus.blob_store`` driver ``s3``).

See :mod:`kampus_s3.blob_store` for the driver and the plugin's ``README.md`` for how an operator
enables it (``blob_store = "s3"`` and the ``s3_*`` settings).
"""
