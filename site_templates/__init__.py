"""Templates and vendored assets of qunsop, shipped inside the package as data."""
