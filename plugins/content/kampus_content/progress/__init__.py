"""Learner progress: scores and completion of blocks, stored per learner and read in batches.

* :mod:`~kampus_content.progress.models`: the tables;
* :mod:`~kampus_content.progress.scores`: scores that blocks publish, written in
  the transaction of the block's state; ``kampus_score_changed`` after commit;
* :mod:`~kampus_content.progress.completion`: completion per block, Open edX's
  semantics (problems on score, html on view, video on watch);
* :mod:`~kampus_content.progress.aggregation`: completion of units,
  subsections, sections and the course from their leaves.

Other plugins import these through :mod:`kampus_content.api`.
"""
