"""Sign-in security: the security log (an append-only hash chain), lockout, resets, the separated
administrator duties (三员分立) and what the person concerned is told."""
