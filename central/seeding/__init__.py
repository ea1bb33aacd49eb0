"""Demo and test data for Kabupaten Banyuwangi: offices, residents, services, information."""
