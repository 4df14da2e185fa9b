"""Pure rules of the portal: page projection, slugs, search normalisation."""
