"""HTTP routers of the LGSP: administrators' and partners'."""
