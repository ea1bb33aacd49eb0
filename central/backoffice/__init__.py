"""The village back office: the finished letter (numbers, PDF, verification), status moves,
complaint replies, bansos reviews, and residents' data rights (export, erasure)."""
