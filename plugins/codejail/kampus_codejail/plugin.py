"""Wiring of the codejail plugin: its settings, and a new site's sandbox. The jail itself is the
``kampus.sandbox`` driver ``bwrap``."""

from __future__ import annotations

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

MIB = 1024 * 1024


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables codejail after problems and runs instructor Python in its bubblewrap jail."""
    return SiteDefaults(
        enable_on_init=True, order=30, settings={"sandbox": "bwrap"},
        comment="instructor Python runs in the codejail plugin's bubblewrap jail",
    )


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("codejail_cpu_seconds", int, 5, "CPU seconds one run of instructor Python may use."),
        Setting("codejail_wall_seconds", float, 10.0,
                "Wall-clock seconds one run may last (sleeping included); the whole jail is killed after."),
        Setting("codejail_memory_bytes", int, 512 * MIB,
                "Address-space limit of the jailed interpreter (numpy and sympy together run in 256 MiB)."),
        Setting("codejail_processes", int, 16,
                "Processes and threads the jailed code may have at once (each run gets a uid of its own)."),
        Setting("codejail_file_bytes", int, 1 * MIB, "Largest file the jailed code may write."),
        Setting("codejail_output_bytes", int, 1 * MIB,
                "Bytes of output (result document plus printed text) read from one run; more stops the run."),
        Setting("codejail_tmp_bytes", int, 16 * MIB, "Size of the private /tmp of one run (its working folder)."),
        Setting("codejail_python", str, "",
                "Interpreter run inside the jail; empty: the Python running Kampus (its site-packages, "
                "read-only, give numpy and sympy)."),
        Setting("codejail_uid_base", int, 1_400_000_000,
                "When Kampus runs as root, each run drops to a random uid in [base, base + 1000000), so that "
                "the process limit of one run is not shared with another; 0 uses uid 65534 (nobody)."),
    ]
