"""kampus-codejail: the ``bwrap`` sandbox driver, which runs instructor Python in a bubblewrap jail."""
