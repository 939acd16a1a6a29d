"""People and their roles: registration, sign-in, password reset, account settings."""

import email_validator

# email-validator refuses special-use domains. The demo accounts (and test accounts) use
# the reserved ".test" domain on purpose, so it is allowed; every other rule stays.
if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")
