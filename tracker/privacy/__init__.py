"""Protection of personal data: finding and redacting what could identify a child before donor sharing."""
