"""Course content read from the authors' folder: parsing, checking and rendering, no web or database."""
