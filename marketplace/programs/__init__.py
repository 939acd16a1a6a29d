"""Aid programmes (program bantuan), equipment grants (hibah alat) and recipient imports."""
