"""The demonstration data (seed_demo): an organisation and a year of work in every subdomain."""
