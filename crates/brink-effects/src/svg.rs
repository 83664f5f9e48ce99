//! SVG drawing of the rings (stub, filled in below).
