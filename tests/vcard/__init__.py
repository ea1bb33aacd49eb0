"""A virtual e-KTP card for the vpcd reader and a private pcscd to plug it into."""
