"""Service-level agreements: business calendars and the due times computed on them."""
