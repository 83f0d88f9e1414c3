"""The to-do page and the navigation: what each user sees first, across every subdomain."""
