"""Two-step sign-in (两步验证): an authenticator app (TOTP) and single-use recovery codes, with django-otp.

Who must use it is a setting (TWO_FACTOR_REQUIRED_ROLES); anyone may. The middleware asks for the code
once per session after the password; signing asks for it again with the password.
"""
