"""Use cases of the LGSP; they take repositories and ports as arguments."""
