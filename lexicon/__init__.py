"""Packaged default model data (see PROVENANCE.md); loaded by vnrestore.model."""
