//! Plant and meter faults, each found on the right asset, in the right
//! mode, within a stated number of base windows (one minute each) of the
//! moment it began.
