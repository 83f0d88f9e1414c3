"""一岗双责: each leader's duty assignment, its tasks and periods, performance records and handovers."""
