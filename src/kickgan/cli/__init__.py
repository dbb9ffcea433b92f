"""The ``kickgan`` command line: one subcommand per job, each a thin wrapper over one library function."""
