"""Kemendagri regions: province, kabupaten/kota, kecamatan, kelurahan/desa, with postal codes."""
