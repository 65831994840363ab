//! Steam-system calculations of the analysis layer.
