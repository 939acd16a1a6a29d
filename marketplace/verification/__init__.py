"""The agency's verification of producers: documents, review queue, decisions."""
