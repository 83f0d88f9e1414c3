"""Every change to 一岗双责: `assignments` (assignments, tasks, performance records, handovers) and
`reports` (the sealed year-end report). One service per change; each appends its event to the duty chain."""
