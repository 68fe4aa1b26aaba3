"""Views of the staff UI, one module per area."""
