"""Importers (and, later, exporters) for the formats the field already uses."""
